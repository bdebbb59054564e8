using System.Security.Cryptography;
using Containers.Build.Model;

namespace Containers.Build.Layers;

/// <summary>
/// Writes entries as a compressed tar into a <see cref="ContentStore"/> in one streaming pass, hashing the tar
/// (diff_id) and the compressed bytes (digest) as they go by. Memory stays constant whatever the folder's size.
/// Every entry gets the same owner (no user or group names) and modification time, and what ustar cannot
/// hold goes into PAX records without process ids or times, so equal input gives equal digests. The gzip
/// (<see cref="ParallelGzipStream"/>) is compressed on every core in fixed blocks, so its bytes do not depend on
/// how many there are; its header carries no name, no time and no operating system. A zstd layer
/// (<see cref="ZstdLayerStream"/>) is one frame whose bytes do not depend on the number of cores either.
/// </summary>
public sealed class LayerWriter(ContentStore store)
{
    private const int BufferSize = FileBuffer.Size;

    // The tar and gzip streams are synchronous underneath: writing through their async wrappers hops to the
    // thread pool for every buffer (Stream.WriteAsync's default), which cost about a quarter of the
    // throughput. So one dedicated pass does plain synchronous I/O, checking for cancellation per buffer.
    public Task<Layer> WriteAsync(IReadOnlyList<LayerEntry> entries, LayerOptions options, CancellationToken cancellationToken)
        => Task.Factory.StartNew(() => Write(entries, options, keyed: false, secrets: null, cancellationToken).Layer, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Writes the layer and gives its input key (<see cref="LayerInputKey"/>) from the same read of each file: for a
    /// layer nothing can hold yet (an empty cache, a new repository), where reading every file once for the key and
    /// once more for the tar costs a second pass (50,000 small files: most of a second).
    /// </summary>
    /// <param name="secrets">Where the files read are judged for secrets as they go by, or null.</param>
    public Task<(Layer Layer, Digest Key)> WriteKeyedAsync(IReadOnlyList<LayerEntry> entries, LayerOptions options, CancellationToken cancellationToken, SecretScan? secrets = null)
        => Task.Factory.StartNew(() =>
        {
            var (layer, key) = Write(entries, options, keyed: true, secrets, cancellationToken);
            return (layer, key!);
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private (Layer Layer, Digest? Key) Write(IReadOnlyList<LayerEntry> entries, LayerOptions options, bool keyed, SecretScan? secrets, CancellationToken cancellationToken)
    {
        try
        {
            return Write(entries, options, keyed, secrets, reusePackageCompression: options.ReusesPackageCompression, cancellationToken);
        }
        catch (PackageArchiveDamagedException) when (options.ReusesPackageCompression)
        {
            // A package archive no longer holds what NuGet unpacked from it (nothing of it was written, and the pending blob
            // is gone): the layer is written again with every file compressed here. The same files, so the same key.
            return Write(entries, options, keyed, secrets, reusePackageCompression: false, cancellationToken);
        }
    }

    /// <param name="keyed">
    /// Whether to make the layer's input key (<see cref="LayerInputKey"/>) as the files are read: each entry's lines go to
    /// the key as it is written, so no hash of each file is held until the end (2 MB on a folder of 50,000 files).
    /// </param>
    private (Layer Layer, Digest? Key) Write(IReadOnlyList<LayerEntry> entries, LayerOptions options, bool keyed, SecretScan? secrets,
        bool reusePackageCompression, CancellationToken cancellationToken)
    {
        using var blob = store.NewBlob();
        Digest diffId;
        Digest digest;
        long size;
        var compressed = new HashingStream(blob.Stream, leaveOpen: true);
        // Disposed on a failure too: it abandons its output (the gzip waits for the blocks still compressing).
        using var compressor = LayerCompressorStream.For(compressed, options);
        var uncompressed = new HashingStream(compressor, leaveOpen: true);
        // On a failure the tar is left unfinished; the pending blob is deleted when it is disposed.
        var tar = new LayerTarWriter(uncompressed);
        var buffer = new byte[BufferSize];
        // Every file of the layer is opened in this one reader, one after another.
        using var reader = FileReadStream.Reusable();
        var packed = reusePackageCompression && options.ReusesPackageCompressionIn(entries) && compressor is ParallelGzipStream gzip
            ? (Gzip: gzip, Entries: new PackedEntries())
            : default;
        using var fileHash = keyed ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        using var key = keyed ? LayerInputKey.Begin(entries, options) : null;
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var written = WriteEntry(tar, entry, options, buffer, reader, fileHash, secrets, packed, cancellationToken);
            key?.Add(entry, entry.Kind == LayerEntryKind.File ? new LayerInputKey.FileHash(written, fileHash!) : default);
        }
        tar.Finish();
        uncompressed.Flush();
        diffId = uncompressed.GetDigest();
        uncompressed.Dispose();
        compressor.Complete();
        digest = compressed.GetDigest();
        size = compressed.BytesWritten;
        compressed.Dispose();
        var path = store.Commit(blob, digest);
        return (new Layer(new Descriptor(options.MediaType, digest, size), diffId, path), key?.Finish());
    }

    /// <returns>The content bytes written (0 for anything but a file), each also given to <paramref name="contentHash"/> and <paramref name="secrets"/> when there are.</returns>
    /// <param name="packed">Where a file unpacked from a package may go in as its package deflated it (<see cref="LayerOptions.ReusesPackageCompression"/>); default when none may.</param>
    /// <param name="reader">Where a file of a walked folder is opened (<see cref="LayerEntry.OpenContent"/>); it is closed again before this returns.</param>
    private static long WriteEntry(LayerTarWriter tar, LayerEntry entry, LayerOptions options, byte[] buffer, FileReadStream reader, IncrementalHash? contentHash, SecretScan? secrets,
        (ParallelGzipStream Gzip, PackedEntries Entries) packed, CancellationToken cancellationToken)
    {
        // Whatever planned the entry, no name leaves the image's root: extractors differ on '..' and absolute names.
        if (!IsRelativeWithoutDots(entry.ContainerPath))
        {
            throw new UnsafeEntryPathException(entry.ContainerPath);
        }
        var name = entry.Kind == LayerEntryKind.Directory ? entry.ContainerPath + "/" : entry.ContainerPath;
        Stream? source = null;
        try
        {
            long size = 0;
            if (entry.Kind == LayerEntryKind.File)
            {
                source = entry.OpenContent(reader);
                size = source.Length;
            }

            var link = entry.LinkTarget;
            var nameFits = PaxRecords.FitsUstar(name);
            var linkFits = link is null || PaxRecords.FitsUstar(link);
            // Made only for an entry that needs one: most need none, and a list each is 50,000 lists on a folder of 50,000 files.
            List<KeyValuePair<string, string>>? pax = null;
            if (!nameFits)
            {
                (pax ??= []).Add(KeyValuePair.Create("path", name));
            }
            if (!linkFits)
            {
                (pax ??= []).Add(KeyValuePair.Create("linkpath", link!));
            }
            if (size > PaxRecords.UstarMaxSize)
            {
                (pax ??= []).Add(KeyValuePair.Create("size", size.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            var (userId, groupId) = options.OwnerOf(entry);
            if (!PaxRecords.FitsUstar(userId))
            {
                (pax ??= []).Add(KeyValuePair.Create("uid", userId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            if (!PaxRecords.FitsUstar(groupId))
            {
                (pax ??= []).Add(KeyValuePair.Create("gid", groupId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            var modificationTime = options.ModificationTime.ToUnixTimeSeconds();
            if (pax is not null)
            {
                // A fixed header name (no process id, unlike some writers), so the bytes never vary.
                var records = PaxRecords.Encode(pax);
                var paxName = "PaxHeaders/" + PaxRecords.FallbackName(Path.GetFileName(name.TrimEnd('/')));
                tar.PutEntry(paxName.Length > PaxRecords.UstarNameLength ? paxName[..PaxRecords.UstarNameLength] : paxName,
                    TypePaxHeader, 0b110_100_100, options.UserId, options.GroupId, records.Length, modificationTime);
                tar.Write(records);
                tar.CloseEntry();
            }

            var typeFlag = entry.Kind switch
            {
                LayerEntryKind.Directory => TypeDirectory,
                LayerEntryKind.Symlink => TypeSymlink,
                _ => TypeFile,
            };
            tar.PutEntry(nameFits ? name : PaxRecords.FallbackName(name), typeFlag, entry.Mode, userId, groupId, size, modificationTime,
                link is null ? "" : linkFits ? link : PaxRecords.FallbackName(link));
            long written = 0;
            if (source is not null && packed.Entries?.Find(entry, source, buffer) is { } deflated)
            {
                // The header so far goes to the compressor first: the substitute stands for the content that follows it.
                tar.Flush();
                packed.Gzip.Substitute(deflated);
            }
            if (source is not null)
            {
                var judged = secrets?.Begin(entry, size) ?? default;
                int read;
                while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    tar.Write(buffer.AsSpan(0, read));
                    contentHash?.AppendData(buffer, 0, read);
                    judged.Append(buffer.AsSpan(0, read));
                    written += read;
                }
                judged.Complete();
            }
            tar.CloseEntry();
            return written;
        }
        finally
        {
            source?.Dispose();
        }
    }

    /// <summary>Whether every '/'-separated segment of <paramref name="path"/> is a name: none empty (so no leading '/'), '.' or '..'.</summary>
    internal static bool IsRelativeWithoutDots(string path)
    {
        foreach (var range in path.AsSpan().Split('/'))
        {
            if (path.AsSpan()[range] is "" or "." or "..")
            {
                return false;
            }
        }
        return true;
    }

    private const byte TypeFile = (byte)'0';
    private const byte TypeSymlink = (byte)'2';
    private const byte TypeDirectory = (byte)'5';
    private const byte TypePaxHeader = (byte)'x';
}
