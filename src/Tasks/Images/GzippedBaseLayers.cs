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
/// Base layers that arrive as tars in an archive (a docker-archive, an engine's save): plain ones must be gzipped before
/// a registry or a manifest can take them; gzipped ones (docker's containerd image store) are kept as they are; zstd ones
/// (a docker-archive written with ContainerLayerCompression=zstd) are unpacked and gzipped, as the base's Docker manifest
/// can describe no zstd layer. Each is gzipped once, reproducibly (the same compressor and level as the
/// app's layers, fed whole buffers), into the content store, and remembered by its diff_id, so the next build
/// neither reads nor compresses it again.
/// </summary>
internal static class GzippedBaseLayers
{
    private const int BufferSize = FileBuffer.Size;

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
    /// pass. A layer that is gzipped already (docker's containerd image store saves them so) is kept as it is: its
    /// bytes are the blob, and its diff_id is the hash of what it unpacks to. The caller compares the diff_id with the
    /// config's and <see cref="Keep"/>s it, or disposes it.
    /// </summary>
    public static async Task<GzippedLayer> GzipAsync(Stream tar, ContentStore store, string source, string describe, CancellationToken cancellationToken)
    {
        // The compressor gets the tar in whole buffers, whatever sizes the archive's reader returns (a gzipped archive
        // returns others than a plain one): deflate's output depends on how its input is cut.
        var buffer = new byte[BufferSize];
        var length = await tar.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var blob = store.NewBlob(useAsync: true);
        try
        {
            if (LayerMagic.IsGzip(buffer.AsSpan(0, length)))
            {
                return await KeepCompressedAsync(tar, buffer, length, blob, source, describe, cancellationToken).ConfigureAwait(false);
            }
            if (LayerMagic.IsZstd(buffer.AsSpan(0, length)))
            {
                // A zstd layer (a docker-archive this tool wrote with ContainerLayerCompression=zstd): the base's manifest is
                // a Docker one, which cannot describe zstd, so the tar it holds is gzipped like a plain one.
                return await GzipZstdAsync(tar, buffer, length, blob, source, describe, cancellationToken).ConfigureAwait(false);
            }
            return await GzipTarAsync(tar, buffer, length, blob, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await blob.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Gzips a tar, of which <paramref name="buffer"/> holds the first <paramref name="length"/> bytes.</summary>
    private static async Task<GzippedLayer> GzipTarAsync(Stream tar, byte[] buffer, int length, PendingFile blob, CancellationToken cancellationToken)
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

    /// <summary>A zstd layer's tar, gzipped: what it unpacks to is its diff_id.</summary>
    private static async Task<GzippedLayer> GzipZstdAsync(Stream layer, byte[] buffer, int length, PendingFile blob, string source, string describe, CancellationToken cancellationToken)
    {
        try
        {
            await using var tar = new ZstdSharp.DecompressionStream(new PrefixedReadStream(buffer.AsMemory(0, length).ToArray(), layer), leaveOpen: false);
            length = await tar.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return await GzipTarAsync(tar, buffer, length, blob, cancellationToken).ConfigureAwait(false);
        }
        catch (ZstdSharp.ZstdException e)
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source, $"The layer {describe} is not a readable zstd stream: {e.Message}");
        }
    }

    /// <summary>A layer gzipped already: copied as it is (hashing it), then unpacked from the copy to learn its diff_id.</summary>
    private static async Task<GzippedLayer> KeepCompressedAsync(Stream layer, byte[] buffer, int length, PendingFile blob, string source, string describe, CancellationToken cancellationToken)
    {
        var compressed = new HashingStream(blob.Stream, leaveOpen: true);
        while (length > 0)
        {
            await compressed.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            length = await layer.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }
        await blob.Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        var uncompressed = new HashingStream(Stream.Null);
        try
        {
            await using var copy = new FileStream(blob.TemporaryPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, BufferSize, useAsync: true);
            await using var gunzip = new GZipStream(copy, CompressionMode.Decompress);
            await gunzip.CopyToAsync(uncompressed, BufferSize, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source, $"The layer {describe} is not a readable gzip stream: {e.Message}");
        }
        return new GzippedLayer(uncompressed.GetDigest(), new Descriptor(MediaTypes.DockerLayerGzip, compressed.GetDigest(), compressed.BytesWritten), blob);
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
