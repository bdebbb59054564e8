using System.Net;
using System.Net.Http.Headers;
using Containers.Build.Layers;
using Containers.Build.Model;

namespace Containers.Build.Registry;

/// <summary>The OCI distribution API of one registry: manifests, blobs, uploads and cross-repository mounts.</summary>
public sealed class RegistryClient(RegistryTransport transport)
{
    private const int MaxManifestBytes = 4 * 1024 * 1024;
    private const int MaxErrorBodyBytes = 64 * 1024;

    private static readonly string[] ManifestAcceptTypes =
    [
        MediaTypes.OciIndex, MediaTypes.OciManifest, MediaTypes.DockerManifestList, MediaTypes.DockerManifest,
    ];

    public References.RegistryHost Registry => transport.Registry;

    // The blobs this client has seen in a repository (a HEAD that found one, a read, an upload, a mount). A publish asks about
    // each blob once: a fresh runner asked the registry about every app layer twice, once to find it by its key and
    // once before sending it. A blob the registry drops meanwhile fails the manifest's PUT, as it would have anyway.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Repository, Digest Digest), bool> _present = new();

    private void Seen(string repository, Digest digest) => _present[(repository, digest)] = true;

    private static string PullScope(string repository) => $"repository:{repository}:pull";
    private static string PushScope(string repository) => $"repository:{repository}:pull,push";

    /// <summary>Fetches a manifest or index by tag or digest; null when the registry does not have it.</summary>
    public Task<ManifestContent?> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken)
        => GetSmallAsync(
            baseUri => ManifestRequest(HttpMethod.Get, baseUri, repository, reference),
            PullScope(repository),
            $"manifest {repository}:{reference}",
            async response =>
            {
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }
                await EnsureSuccessAsync(response, $"read manifest {repository}:{reference}", cancellationToken).ConfigureAwait(false);
                if (response.Content.Headers.ContentLength > MaxManifestBytes)
                {
                    throw new RegistryException($"The manifest {repository}:{reference} is larger than {MaxManifestBytes} bytes; refusing to read it.");
                }
                var bytes = await ReadAllBoundedAsync(response.Content, MaxManifestBytes, $"manifest {repository}:{reference}", cancellationToken).ConfigureAwait(false);
                var digest = Digest.Compute(bytes);
                if (Digest.TryParse(reference, out var expected) && expected != digest)
                {
                    throw new RegistryException($"The manifest {repository}@{reference} that registry {Registry} sent has digest {digest}: the content is not what was asked for.");
                }
                return new ManifestContent(bytes, response.Content.Headers.ContentType?.MediaType, digest) { ETag = response.Headers.ETag?.Tag };
            },
            cancellationToken);

    /// <summary>
    /// A GET whose body is small enough for memory (a manifest, an index, a config, the referrers), read by
    /// <paramref name="read"/>: when the body breaks off or stalls, the request is made again from the start, as a blob's
    /// download is (<see cref="RetryPolicy.BlobDownloadAttempts"/>, within <see cref="RetryPolicy.MaxTotalTime"/>). The
    /// request's own failures (no answer, a 503) the transport has retried already.
    /// </summary>
    private async Task<T> GetSmallAsync<T>(Func<Uri, HttpRequestMessage> createRequest, string scope, string what, Func<HttpResponseMessage, Task<T>> read,
        CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        for (var attempt = 1; ; attempt++)
        {
            using var response = await transport.SendAsync(createRequest, scope, cancellationToken).ConfigureAwait(false);
            try
            {
                return await ReadBodyAsync(() => read(response), what).ConfigureAwait(false);
            }
            catch (RegistryUnreachableException e) when (e.IsTransient && MayReadAgain(attempt, started, cancellationToken))
            {
                // The body broke off or stalled: the next attempt starts over.
            }
        }
    }

    /// <summary>Whether a body that broke off or stalled is asked for once more: the attempts and the time a blob's download has.</summary>
    private bool MayReadAgain(int attempt, DateTimeOffset started, CancellationToken cancellationToken)
        => attempt < Retry.BlobDownloadAttempts && DateTimeOffset.UtcNow - started < Retry.MaxTotalTime && !cancellationToken.IsCancellationRequested;

    /// <summary>
    /// The referrers of a manifest as an image index, from the referrers API (distribution-spec 1.1) or, on a registry
    /// without it, from the index under the referrers tag <c>sha256-&lt;hex&gt;</c>; null when it has none.
    /// </summary>
    public async Task<byte[]?> GetReferrersAsync(string repository, Digest subject, CancellationToken cancellationToken)
        => await GetReferrersFromApiAsync(repository, subject, cancellationToken).ConfigureAwait(false)
            ?? (await GetManifestAsync(repository, ReferrersIndex.TagFor(subject), cancellationToken).ConfigureAwait(false))?.Bytes;

    private Task<byte[]?> GetReferrersFromApiAsync(string repository, Digest subject, CancellationToken cancellationToken)
        => GetSmallAsync(
            baseUri => new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, $"v2/{repository}/referrers/{subject}")) { Headers = { { "Accept", MediaTypes.OciIndex } } },
            PullScope(repository),
            $"referrers of {repository}@{subject}",
            // A registry with the API answers with an index (empty when there are none); one without it says 404 (or 400, 405).
            async response => response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == MediaTypes.OciIndex
                ? await ReadAllBoundedAsync(response.Content, MaxManifestBytes, $"referrers of {repository}@{subject}", cancellationToken).ConfigureAwait(false)
                : null,
            cancellationToken);

    /// <summary>
    /// The digest of what a tag names now, computed from the manifest's bytes (a Docker-Content-Digest
    /// header is not proof); null when the tag does not exist.
    /// </summary>
    public async Task<Digest?> GetManifestDigestAsync(string repository, string reference, CancellationToken cancellationToken)
        => (await GetManifestAsync(repository, reference, cancellationToken).ConfigureAwait(false))?.Digest;

    /// <summary>Reads a blob small enough for memory (an image configuration), checking its digest.</summary>
    public async Task<byte[]> GetSmallBlobAsync(string repository, Descriptor descriptor, CancellationToken cancellationToken)
    {
        var bytes = await GetSmallAsync(
            baseUri => new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, $"v2/{repository}/blobs/{descriptor.Digest}")),
            PullScope(repository),
            $"blob {descriptor.Digest} of {repository}",
            async response =>
            {
                await EnsureSuccessAsync(response, $"read blob {descriptor.Digest} of {repository}", cancellationToken).ConfigureAwait(false);
                return await ReadAllBoundedAsync(response.Content, MaxManifestBytes, $"blob {descriptor.Digest}", cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        VerifyContent(Digest.Compute(bytes), bytes.LongLength, descriptor, repository);
        Seen(repository, descriptor.Digest);
        return bytes;
    }

    /// <summary>
    /// Downloads a blob into <paramref name="destination"/> (seekable, written from its start), verifying digest
    /// and size; a mismatch throws <see cref="BlobDigestMismatchException"/>, and the caller drops what was
    /// written. Never more than the descriptor's size is read: a longer body fails at the first byte past it. A
    /// connection that breaks or stalls mid-body is tried again from the start (<see cref="RetryPolicy.BlobDownloadAttempts"/>,
    /// within <see cref="RetryPolicy.MaxTotalTime"/>); a destination that cannot be written (a full disk) is
    /// <see cref="BlobWriteException"/> at once, never retried as a network failure.
    /// </summary>
    public async Task DownloadBlobAsync(string repository, Descriptor descriptor, Stream destination, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                destination.Position = 0;
                destination.SetLength(0);
            }
            catch (IOException e)
            {
                throw new BlobWriteException((destination as FileStream)?.Name, descriptor.Digest, e);
            }
            try
            {
                await DownloadBlobOnceAsync(repository, descriptor, destination, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RegistryUnreachableException e) when (e.IsTransient && MayReadAgain(attempt, started, cancellationToken))
            {
                // The body broke off or stalled: the next attempt starts over.
            }
        }
    }

    private async Task DownloadBlobOnceAsync(string repository, Descriptor descriptor, Stream destination, CancellationToken cancellationToken)
    {
        using var response = await transport.SendAsync(
            baseUri => new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, $"v2/{repository}/blobs/{descriptor.Digest}")),
            PullScope(repository), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"read blob {descriptor.Digest} of {repository}", cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength is { } announced && announced > descriptor.Size)
        {
            throw new BlobDigestMismatchException(Registry, repository, descriptor, $"the registry announced {announced} bytes, more than {descriptor.Size} bytes");
        }

        await using var hashing = new HashingStream(destination, leaveOpen: true);
        var buffer = new byte[FileBuffer.Size];
        long total = 0;
        await using (var body = await ReadBodyAsync(() => response.Content.ReadAsStreamAsync(cancellationToken), $"blob {descriptor.Digest}").ConfigureAwait(false))
        {
            while (true)
            {
                // At most one byte past the descriptor's size is ever asked for: that byte is the error.
                var wanted = (int)Math.Min(buffer.Length, descriptor.Size + 1 - total);
                var read = await ReadBodyAsync(() => body.ReadAsync(buffer.AsMemory(0, wanted), cancellationToken).AsTask(), $"blob {descriptor.Digest}").ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                if (total + read > descriptor.Size)
                {
                    throw new BlobDigestMismatchException(Registry, repository, descriptor, $"the body went on past byte {descriptor.Size}, more than {descriptor.Size} bytes");
                }
                total += read;
                await WriteBlobAsync(() => hashing.WriteAsync(buffer.AsMemory(0, read), cancellationToken).AsTask(), destination, descriptor).ConfigureAwait(false);
            }
        }
        await WriteBlobAsync(() => hashing.FlushAsync(cancellationToken), destination, descriptor).ConfigureAwait(false);
        VerifyContent(hashing.GetDigest(), hashing.BytesWritten, descriptor, repository);
    }

    /// <summary>A read from the registry: a broken connection is a transient network failure (a stall already is one).</summary>
    private async Task<T> ReadBodyAsync<T>(Func<Task<T>> read, string what)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new RegistryUnreachableException($"The connection to registry {Registry} broke while reading {what}: {e.Message}", e) { IsTransient = true };
        }
    }

    /// <summary>A write to this machine: a full disk or a permission is a local failure, never retried.</summary>
    private static async Task WriteBlobAsync(Func<Task> write, Stream destination, Descriptor descriptor)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BlobWriteException((destination as FileStream)?.Name, descriptor.Digest, e);
        }
    }

    public async Task<bool> BlobExistsAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        if (_present.ContainsKey((repository, digest)))
        {
            return true;
        }
        using var response = await transport.SendAsync(
            baseUri => new HttpRequestMessage(HttpMethod.Head, new Uri(baseUri, $"v2/{repository}/blobs/{digest}")),
            PushScope(repository), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        await EnsureSuccessAsync(response, $"check blob {digest} in {repository}", cancellationToken).ConfigureAwait(false);
        Seen(repository, digest);
        return true;
    }

    /// <summary>
    /// Asks the registry to link a blob from another repository of the same registry. True when it did; false
    /// when it answered by opening an upload instead (which is then cancelled), so the caller uploads.
    /// </summary>
    public async Task<bool> TryMountBlobAsync(string repository, Digest digest, string fromRepository, CancellationToken cancellationToken)
    {
        var scope = $"{PushScope(repository)} {PullScope(fromRepository)}";
        using var response = await transport.SendAsync(
            baseUri => new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, $"v2/{repository}/blobs/uploads/?mount={digest}&from={Uri.EscapeDataString(fromRepository)}")),
            scope, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            Seen(repository, digest);
            return true;
        }
        if (response.StatusCode == HttpStatusCode.Accepted && response.Headers.Location is { } location)
        {
            await AbandonUploadAsync(repository, location, cancellationToken).ConfigureAwait(false);
            return false;
        }
        await EnsureSuccessAsync(response, $"mount blob {digest} from {fromRepository} into {repository}", cancellationToken).ConfigureAwait(false);
        return false;
    }

    /// <summary>Blobs up to this size go in one PUT; larger ones in PATCH chunks of this size (ContainerUploadChunkSize).</summary>
    public long ChunkSize { get; init; } = DefaultChunkSize;

    public const long DefaultChunkSize = 64L * 1024 * 1024;

    /// <summary>Every attempt count of this client (sessions, chunk resumes, downloads, requests).</summary>
    public RetryPolicy Retry => transport.Retry;

    /// <summary>
    /// Uploads a blob: POST opens a session, then one PUT with the content when it is small, or PATCH
    /// chunks (honoring OCI-Chunk-Min-Length) and a closing PUT when it is large. After a dropped connection
    /// the upload resumes from the offset the registry reports (GET on the session), not from byte 0. Each
    /// response's Location is used exactly as given. A session given up on is deleted.
    /// </summary>
    public async Task UploadBlobAsync(string repository, Descriptor descriptor, Func<Stream> openContent, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (location, minimumChunk) = await StartUploadAsync(repository, cancellationToken).ConfigureAwait(false);
            try
            {
                var chunkSize = Math.Max(ChunkSize, minimumChunk);
                if (descriptor.Size <= chunkSize)
                {
                    await PutBlobAsync(repository, location, descriptor, openContent, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    location = await PatchChunksAsync(repository, location, descriptor, openContent, chunkSize, cancellationToken).ConfigureAwait(false);
                    await PutBlobAsync(repository, location, descriptor, null, cancellationToken).ConfigureAwait(false);
                }
                Seen(repository, descriptor.Digest);
                return;
            }
            catch (RegistryUnreachableException e) when (e.IsTransient && attempt < Retry.UploadSessionAttempts)
            {
                await AbandonUploadAsync(repository, location, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await AbandonUploadAsync(repository, location, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            catch (OperationCanceledException)
            {
                await AbandonUploadAsync(repository, location, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }
    }

    private async Task<(Uri Location, long MinimumChunk)> StartUploadAsync(string repository, CancellationToken cancellationToken)
    {
        using var start = await transport.SendAsync(
            baseUri => new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, $"v2/{repository}/blobs/uploads/")),
            PushScope(repository), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(start, $"start an upload to {repository}", cancellationToken).ConfigureAwait(false);
        var location = start.Headers.Location
            ?? throw new RegistryException($"Registry {Registry} opened an upload to {repository} without a Location header.");
        var minimum = start.Headers.TryGetValues("OCI-Chunk-Min-Length", out var values) && long.TryParse(values.FirstOrDefault(), out var parsed) ? parsed : 0;
        return (location, minimum);
    }

    private async Task<Uri> PatchChunksAsync(string repository, Uri location, Descriptor descriptor, Func<Stream> openContent, long chunkSize, CancellationToken cancellationToken)
    {
        long offset = 0;
        var resumes = 0;
        while (offset < descriptor.Size)
        {
            var length = Math.Min(chunkSize, descriptor.Size - offset);
            var chunkStart = offset;
            var chunkLocation = location;
            try
            {
                using var response = await transport.SendAsync(baseUri =>
                {
                    var stream = openContent();
                    stream.Seek(chunkStart, SeekOrigin.Begin);
                    var content = new StreamContent(new StreamSlice(stream, length), FileBuffer.Size);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                    content.Headers.ContentLength = length;
                    content.Headers.TryAddWithoutValidation("Content-Range", $"{chunkStart}-{chunkStart + length - 1}");
                    return new HttpRequestMessage(HttpMethod.Patch, Resolve(baseUri, chunkLocation)) { Content = content };
                }, PushScope(repository), retry: false, cancellationToken).ConfigureAwait(false);
                await EnsureSuccessAsync(response, $"upload a chunk of blob {descriptor.Digest} to {repository}", cancellationToken).ConfigureAwait(false);
                location = response.Headers.Location ?? location;
                offset = chunkStart + length;
            }
            catch (RegistryUnreachableException e) when (e.IsTransient && ++resumes <= Retry.ChunkResumes)
            {
                // The registry may have kept part of the chunk: ask it where to go on from.
                try
                {
                    (location, offset) = await GetUploadOffsetAsync(repository, location, cancellationToken).ConfigureAwait(false);
                }
                catch (RegistryException lost) when (lost.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
                {
                    // The session cannot say (distribution 2.8 signs its state into each Location, so the one
                    // before the lost answer no longer matches): start a new session from byte 0.
                    throw new RegistryUnreachableException($"Registry {Registry} lost track of the upload of {descriptor.Digest} after a broken connection ({lost.Message}); starting it over.", lost) { IsTransient = true };
                }
            }
        }
        return location;
    }

    /// <summary>Where an upload session stands: its next Location and the offset after the last byte it has.</summary>
    public async Task<(Uri Location, long Offset)> GetUploadOffsetAsync(string repository, Uri location, CancellationToken cancellationToken)
    {
        using var response = await transport.SendAsync(
            baseUri => new HttpRequestMessage(HttpMethod.Get, Resolve(baseUri, location)),
            PushScope(repository), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"read the state of an upload to {repository}", cancellationToken).ConfigureAwait(false);
        var range = response.Headers.TryGetValues("Range", out var values) ? values.FirstOrDefault() : null;
        long offset = 0;
        if (range is not null)
        {
            // "0-1234" (or "bytes=0-1234"): the registry has bytes 0 through 1234.
            var end = range[(range.LastIndexOf('-') + 1)..];
            if (long.TryParse(end, out var last))
            {
                offset = last + 1;
            }
        }
        return (response.Headers.Location ?? location, offset);
    }

    private async Task PutBlobAsync(string repository, Uri location, Descriptor descriptor, Func<Stream>? openContent, CancellationToken cancellationToken)
    {
        using var finish = await transport.SendAsync(baseUri =>
        {
            var target = Resolve(baseUri, location);
            // The Location may carry its own query (state tokens); the digest is added to it, never replacing it.
            var separator = string.IsNullOrEmpty(target.Query) ? "?" : "&";
            var request = new HttpRequestMessage(HttpMethod.Put, new Uri(target.AbsoluteUri + $"{separator}digest={Uri.EscapeDataString(descriptor.Digest.ToString())}"));
            HttpContent content = openContent is null ? new ByteArrayContent([]) : new StreamContent(openContent(), FileBuffer.Size);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentLength = openContent is null ? 0 : descriptor.Size;
            request.Content = content;
            return request;
        }, PushScope(repository), retry: false, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(finish, $"upload blob {descriptor.Digest} to {repository}", cancellationToken).ConfigureAwait(false);
    }

    private static Uri Resolve(Uri baseUri, Uri location) => location.IsAbsoluteUri ? location : new Uri(baseUri, location);

    /// <returns>
    /// Whether the registry says it indexed the manifest's <c>subject</c> (the OCI-Subject header of a registry with the
    /// referrers API); false for a manifest without one, or a registry without the API.
    /// </returns>
    public async Task<bool> PutManifestAsync(string repository, string reference, byte[] bytes, string mediaType, CancellationToken cancellationToken)
    {
        using var response = await SendManifestPutAsync(repository, reference, bytes, mediaType, readBefore: null, conditional: false, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"put manifest {repository}:{reference}", cancellationToken).ConfigureAwait(false);
        return response.Headers.Contains("OCI-Subject");
    }

    /// <param name="conditional">Whether the put names what <paramref name="readBefore"/> was (<see cref="PutTagIfUnchangedAsync"/>).</param>
    private Task<HttpResponseMessage> SendManifestPutAsync(string repository, string reference, byte[] bytes, string mediaType, ManifestContent? readBefore,
        bool conditional, CancellationToken cancellationToken)
        => transport.SendAsync(baseUri =>
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            var request = new HttpRequestMessage(HttpMethod.Put, new Uri(baseUri, $"v2/{repository}/manifests/{reference}")) { Content = content };
            if (conditional && readBefore is null)
            {
                request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
            }
            else if (conditional && readBefore!.ETag is { } etag && EntityTagHeaderValue.TryParse(etag, out var parsed))
            {
                request.Headers.IfMatch.Add(parsed);
            }
            return request;
        }, PushScope(repository), cancellationToken);

    /// <summary>How often a referrers tag is read and merged again when the registry says another client changed it meanwhile.</summary>
    internal const int ReferrersTagAttempts = 5;

    /// <summary>
    /// Updates the index under <paramref name="subject"/>'s referrers tag (the tag schema of registries without the
    /// referrers API) with <paramref name="merge"/> (given the index or null; the same array back when nothing changes).
    /// Read right before it is written, as the other tools that keep the tag do, so what they added is kept; and written
    /// only if it did not change in between (<see cref="PutTagIfUnchangedAsync"/>), where the registry keeps that condition:
    /// another client's write between the read and this one is then read and merged too, instead of lost (the spec leaves
    /// this race to clients).
    /// </summary>
    public async Task UpdateReferrersTagAsync(string repository, Digest subject, Func<byte[]?, byte[]?> merge, CancellationToken cancellationToken)
    {
        var tag = ReferrersIndex.TagFor(subject);
        for (var attempt = 1; ; attempt++)
        {
            var existing = await GetManifestAsync(repository, tag, cancellationToken).ConfigureAwait(false);
            var updated = merge(existing?.Bytes);
            if (updated is null || ReferenceEquals(updated, existing?.Bytes)
                || await PutTagIfUnchangedAsync(repository, tag, updated, MediaTypes.OciIndex, existing, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
            if (attempt == ReferrersTagAttempts)
            {
                throw new RegistryException($"The referrers tag {repository}:{tag} changed under every one of {ReferrersTagAttempts} writes: other clients keep rewriting it.", HttpStatusCode.PreconditionFailed);
            }
        }
    }

    /// <summary>
    /// Puts <paramref name="bytes"/> under <paramref name="tag"/> only if the tag still holds what was read before it
    /// (<paramref name="readBefore"/>: its entity tag, <c>If-Match</c>), or still holds nothing when nothing was there
    /// (<c>If-None-Match: *</c>); without an entity tag to name, the put is plain. False when a registry that keeps these
    /// conditions says the tag changed meanwhile (412): read it again and merge. A registry that ignores them (the
    /// distribution registry does) takes the put as a plain one.
    /// </summary>
    public async Task<bool> PutTagIfUnchangedAsync(string repository, string tag, byte[] bytes, string mediaType, ManifestContent? readBefore, CancellationToken cancellationToken)
    {
        using var response = await SendManifestPutAsync(repository, tag, bytes, mediaType, readBefore, conditional: true, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
        await EnsureSuccessAsync(response, $"put manifest {repository}:{tag}", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>A manifest request that accepts every manifest and index type this client understands.</summary>
    private static HttpRequestMessage ManifestRequest(HttpMethod method, Uri baseUri, string repository, string reference)
    {
        var request = new HttpRequestMessage(method, new Uri(baseUri, $"v2/{repository}/manifests/{reference}"));
        foreach (var type in ManifestAcceptTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }
        return request;
    }

    private async Task AbandonUploadAsync(string repository, Uri location, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = await transport.SendAsync(
                baseUri => new HttpRequestMessage(HttpMethod.Delete, Resolve(baseUri, location)),
                PushScope(repository), cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException)
        {
            // The registry expires abandoned sessions on its own; failing to cancel one changes nothing for the push.
        }
    }

    private void VerifyContent(Digest actual, long actualSize, Descriptor expected, string repository)
    {
        if (actual != expected.Digest || actualSize != expected.Size)
        {
            throw new BlobDigestMismatchException(Registry, repository, expected, $"got {actualSize} bytes with digest {actual}");
        }
    }

    private static async Task<byte[]> ReadAllBoundedAsync(HttpContent content, int maxBytes, string what, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                throw new RegistryException($"The {what} is larger than {maxBytes} bytes; refusing to read it.");
            }
        }
        return buffer.ToArray();
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var body = await RegistryTransport.ReadBoundedAsync(response.Content, MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
        var errors = RegistryError.ParseBody(body);
        var cause = errors.Count > 0 ? string.Join("; ", errors) : $"{(int)response.StatusCode} {response.ReasonPhrase}";
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            // Which credentials it refused, and where they came from (or where none were found).
            throw transport.Refused(operation, cause, response.StatusCode, errors);
        }
        throw new RegistryException($"Registry {Registry} refused to {operation}: {cause}.", response.StatusCode, errors);
    }
}

/// <summary>Manifest or index bytes as served, with the served Content-Type and their digest.</summary>
public sealed record ManifestContent(byte[] Bytes, string? ContentType, Digest Digest)
{
    /// <summary>The entity tag the registry served it with (quoted, as sent), or null: what a conditional put names.</summary>
    public string? ETag { get; init; }
}
