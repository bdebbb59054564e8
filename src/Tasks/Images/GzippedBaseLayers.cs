using System.IO.Compression;
using System.Text;
using Containers.Build.Layers;
using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>A base layer tar gzipped into a pending blob of the store: kept only when its diff_id is the one asked for.</summary>
internal sealed record GzippedLayer(Digest DiffId, Descriptor Blob, PendingFile Pending) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Pending.DisposeAsync();
}

/// <summary>
/// Base layers that arrive as uncompressed tars (a docker-archive, an engine's save) and must be gzipped before a
/// registry or a manifest can take them. Each is gzipped once, reproducibly (the same compressor and level as the
/// app's layers, fed whole buffers), into the content store, and remembered by its diff_id, so the next build
/// neither reads nor compresses it again.
/// </summary>
internal static class GzippedBaseLayers
{
    private const int BufferSize = 1 << 16;

    /// <summary>The gzipped blob an earlier build made of this diff_id, when the store still has it.</summary>
    public static Descriptor? Remembered(ContentStore store, Digest diffId)
    {
        var record = RecordPath(store, diffId);
        if (!File.Exists(record))
        {
            return null;
        }
        var parts = File.ReadAllText(record).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2 && Digest.TryParse(parts[0], out var digest) && long.TryParse(parts[1], out var size) && store.Contains(digest)
            ? new Descriptor(MediaTypes.DockerLayerGzip, digest, size)
            : null;
    }

    /// <summary>
    /// Gzips one layer tar into a pending blob, hashing the tar (its diff_id) and the gzip (its digest) in the same
    /// pass. The caller compares the diff_id with the config's and <see cref="Keep"/>s it, or disposes it.
    /// </summary>
    /// <param name="describe">The layer, for the error when it is already compressed (an archive holds plain tars).</param>
    public static async Task<GzippedLayer> GzipAsync(Stream tar, ContentStore store, string source, string describe, CancellationToken cancellationToken)
    {
        // The compressor gets the tar in whole buffers, whatever sizes the archive's reader returns (a gzipped archive
        // returns others than a plain one): deflate's output depends on how its input is cut.
        var buffer = new byte[BufferSize];
        var length = await tar.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (length >= 2 && buffer[0] == 0x1f && buffer[1] == 0x8b)
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source,
                $"The layer {describe} is compressed; a docker-archive holds uncompressed layer tars (as docker save and podman save write them).");
        }
        var blob = store.NewBlob(useAsync: true);
        try
        {
            var compressed = new HashingStream(blob.Stream, leaveOpen: true);
            var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true);
            var uncompressed = new HashingStream(gzip, leaveOpen: true);
            while (length > 0)
            {
                await uncompressed.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                length = await tar.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            }
            var diffId = uncompressed.GetDigest();
            await gzip.DisposeAsync().ConfigureAwait(false);
            return new GzippedLayer(diffId, new Descriptor(MediaTypes.DockerLayerGzip, compressed.GetDigest(), compressed.BytesWritten), blob);
        }
        catch
        {
            await blob.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The diff_id of a tar that an earlier build already gzipped: hashed, not compressed again.</summary>
    public static async Task<Digest> HashAsync(Stream tar, CancellationToken cancellationToken)
    {
        var hashing = new HashingStream(Stream.Null);
        await tar.CopyToAsync(hashing, BufferSize, cancellationToken).ConfigureAwait(false);
        return hashing.GetDigest();
    }

    /// <summary>Stores the gzipped blob under its digest and remembers it for its diff_id.</summary>
    public static Descriptor Keep(ContentStore store, GzippedLayer layer)
    {
        store.Commit(layer.Pending, layer.Blob.Digest);
        var record = RecordPath(store, layer.DiffId);
        Directory.CreateDirectory(Path.GetDirectoryName(record)!);
        AtomicFile.WriteAllBytes(record, Encoding.UTF8.GetBytes($"{layer.Blob.Digest}\n{layer.Blob.Size}\n"));
        return layer.Blob;
    }

    private static string RecordPath(ContentStore store, Digest diffId) => Path.Combine(store.Root, "base-layers", diffId.Hex);
}
