using System.IO.Compression;
using System.Text;
using Containers.Build.Model;
using ICSharpCode.SharpZipLib.Tar;

namespace Containers.Build.Layers;

/// <summary>
/// Writes entries as a gzipped tar into a <see cref="ContentStore"/> in one streaming pass, hashing the tar
/// (diff_id) and the gzip (digest) as the bytes go by. Memory stays constant whatever the folder's size.
/// Entries get fixed owners (0:0, no names) and a fixed modification time, so equal input gives equal digests.
/// </summary>
public sealed class LayerWriter(ContentStore store)
{
    public CompressionLevel CompressionLevel { get; init; } = CompressionLevel.Fastest;

    public async Task<Layer> WriteAsync(
        IReadOnlyList<LayerEntry> entries,
        string mediaType,
        DateTimeOffset modificationTime,
        CancellationToken cancellationToken)
    {
        var temporaryPath = store.NewTemporaryPath();
        try
        {
            Digest diffId;
            Digest digest;
            long size;
            await using (var file = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var compressed = new HashingStream(file, leaveOpen: true);
                var gzip = new GZipStream(compressed, CompressionLevel, leaveOpen: true);
                var uncompressed = new HashingStream(gzip, leaveOpen: true);
                var tar = new TarOutputStream(uncompressed, Encoding.UTF8) { IsStreamOwner = false };
                try
                {
                    foreach (var entry in entries)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        await WriteEntryAsync(tar, entry, modificationTime.UtcDateTime, cancellationToken).ConfigureAwait(false);
                    }
                    tar.Finish();
                }
                finally
                {
                    tar.Dispose();
                }
                await uncompressed.FlushAsync(cancellationToken).ConfigureAwait(false);
                diffId = uncompressed.GetDigest();
                await uncompressed.DisposeAsync().ConfigureAwait(false);
                await gzip.DisposeAsync().ConfigureAwait(false);
                digest = compressed.GetDigest();
                size = compressed.BytesWritten;
                await compressed.DisposeAsync().ConfigureAwait(false);
            }
            var path = store.Commit(temporaryPath, digest);
            return new Layer(new Descriptor(mediaType, digest, size), diffId, path);
        }
        catch
        {
            TryDelete(temporaryPath);
            throw;
        }
    }

    private static async Task WriteEntryAsync(TarOutputStream tar, LayerEntry entry, DateTime modificationTime, CancellationToken cancellationToken)
    {
        var isDirectory = entry.Kind == LayerEntryKind.Directory;
        var header = new TarHeader
        {
            Name = isDirectory ? entry.ContainerPath + "/" : entry.ContainerPath,
            Mode = entry.Mode,
            ModTime = modificationTime,
            UserId = 0,
            GroupId = 0,
            UserName = "",
            GroupName = "",
            TypeFlag = isDirectory ? TarHeader.LF_DIR : TarHeader.LF_NORMAL,
        };
        if (isDirectory)
        {
            tar.PutNextEntry(new TarEntry(header));
            tar.CloseEntry();
            return;
        }

        await using var source = new FileStream(entry.SourcePath!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        header.Size = source.Length;
        tar.PutNextEntry(new TarEntry(header));
        await source.CopyToAsync(tar, 1 << 16, cancellationToken).ConfigureAwait(false);
        tar.CloseEntry();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
