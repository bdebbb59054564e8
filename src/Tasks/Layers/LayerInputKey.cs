using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Containers.Build.Model;

namespace Containers.Build.Layers;

/// <summary>
/// A hash of everything a layer's bytes depend on: the options, and for every entry its path, kind, mode, its
/// own owner if it has one, and, for files, size and content (not the modification time, which the layer does not carry: a file rewritten
/// with other bytes but the same size and time still gives another key).
/// </summary>
public static class LayerInputKey
{
    // Bump when the tar or gzip layout changes, so old cache entries stop matching (v2: the gzip in parallel blocks).
    private const string FormatVersion = "containers-build-layer-v2";

    // Every published file is read on every publish (the cache hit path): plain synchronous reads on a
    // dedicated thread, as in LayerWriter, not an async hop to the thread pool per buffer.
    /// <param name="secrets">Where the files read are judged for secrets as they go by, or null.</param>
    public static Task<Digest> ComputeAsync(IReadOnlyList<LayerEntry> entries, LayerOptions options, CancellationToken cancellationToken, SecretScan? secrets = null)
        => Task.Factory.StartNew(() => Compute(entries, options, secrets, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <remarks>
    /// The files are read and hashed side by side, one reader per core (each with its own buffer and hash), then the key
    /// is made from their hashes in order: a layer of tens of thousands of small files is mostly opening them, and a
    /// single large one is hashing, and both divide.
    /// </remarks>
    private static Digest Compute(IReadOnlyList<LayerEntry> entries, LayerOptions options, SecretScan? secrets, CancellationToken cancellationToken)
    {
        var files = entries.Where(e => e.Kind == LayerEntryKind.File).ToArray();
        var hashes = new FileHash[files.Length];
        try
        {
            Parallel.For(0, files.Length,
                new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
                () => (Buffer: new byte[FileBuffer.Size], Hash: IncrementalHash.CreateHash(HashAlgorithmName.SHA256), File: FileReadStream.Reusable()),
                (i, _, reader) =>
                {
                    hashes[i] = Read(files[i], reader.Buffer, reader.File, reader.Hash, secrets, cancellationToken);
                    return reader;
                },
                reader =>
                {
                    reader.Hash.Dispose();
                    reader.File.Dispose();
                });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // The first file that could not be read, as a single read would have thrown it (the caller makes it CB3xxx).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
        return Of(entries, options, hashes, cancellationToken);
    }

    private static FileHash Read(LayerEntry entry, byte[] buffer, FileReadStream reader, IncrementalHash content, SecretScan? secrets, CancellationToken cancellationToken)
    {
        using var file = entry.OpenContent(reader);
        var judged = secrets?.Begin(entry, file.Length) ?? default;
        long size = 0;
        int read;
        while ((read = file.Read(buffer, 0, buffer.Length)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            content.AppendData(buffer, 0, read);
            judged.Append(buffer.AsSpan(0, read));
            size += read;
        }
        judged.Complete();
        return new FileHash(size, content);
    }

    /// <summary>
    /// The key from each file's size and SHA-256, <paramref name="fileHashes"/> holding one per file entry in the entries'
    /// order, as <see cref="ComputeAsync"/> read them.
    /// </summary>
    private static Digest Of(IReadOnlyList<LayerEntry> entries, LayerOptions options, IReadOnlyList<FileHash> fileHashes, CancellationToken cancellationToken)
    {
        using var key = Begin(entries, options);
        var nextFile = 0;
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            key.Add(entry, entry.Kind == LayerEntryKind.File ? fileHashes[nextFile++] : default);
        }
        return key.Finish();
    }

    /// <summary>
    /// The key of <paramref name="entries"/>, to be given each entry in their order (<see cref="Builder.Add"/>): as
    /// <see cref="LayerWriter"/> writes the files, from the same read, without holding a hash of each until the end.
    /// </summary>
    public static Builder Begin(IReadOnlyList<LayerEntry> entries, LayerOptions options)
    {
        var key = new KeyLines();
        key.Line(FormatVersion);
        key.Line(options.MediaType);
        key.Line(options.ModificationTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        // gzip's line is as it was before zstd, so gzip layers keep their keys; a zstd layer's key can never be a gzip
        // layer's (the media type above differs too), in the local cache or found by key in a registry.
        // A layer at a zlib level of its own says so; the others keep the keys they had.
        key.Line((options.Compression == LayerCompression.Gzip
            ? $"{options.UserId}:{options.GroupId}:{options.CompressionLevel}"
            : $"{options.UserId}:{options.GroupId}:{options.CompressionLevel}:{options.Compression}")
            + (options.DeflateLevel is { } deflate ? $":deflate{deflate}" : "")
            + IdsInPax(options.UserId, options.GroupId));
        if (options.ReusesPackageCompressionIn(entries))
        {
            // Such a layer's gzip holds its package files as their packages deflated them, members of their own: other
            // bytes than before for the same files. The key does not name the archives: NuGet never changes a package
            // once published, and either way the layer holds the same files.
            key.Line("package-deflate");
        }
        return new Builder(key, options);
    }

    /// <summary>A key being made (<see cref="Begin"/>), given one entry after another.</summary>
    public sealed class Builder : IDisposable
    {
        private readonly KeyLines _key;
        private readonly LayerOptions _options;

        internal Builder(KeyLines key, LayerOptions options)
        {
            _key = key;
            _options = options;
        }

        /// <summary>
        /// A line for the entry, and for a file one for its content (<paramref name="file"/>; ignored for anything else),
        /// written without a string of their own: a layer of 50,000 files had cost 40 MB of garbage here, in MSBuild's
        /// process, whose heap the build has already filled.
        /// </summary>
        public void Add(LayerEntry entry, in FileHash file)
        {
            _key.Add(KindName(entry.Kind)).Add('\0').Add(entry.ContainerPath).Add('\0').Add(entry.Mode).Add('\0').Add(entry.LinkTarget).End();
            if (entry.Owner is not null)
            {
                // Only entries with an owner of their own add a line: the keys of the other layers stay as they were.
                var (userId, groupId) = _options.OwnerOf(entry);
                _key.Add("owner\0").Add(userId).Add(':').Add(groupId).Add(IdsInPax(userId, groupId)).End();
            }
            if (entry.Kind == LayerEntryKind.File)
            {
                _key.Add(file.Size).Add('\0').AddSha256(file).End();
            }
        }

        /// <summary>The key of every entry given.</summary>
        public Digest Finish() => _key.Digest();

        public void Dispose() => _key.Dispose();
    }

    // The enum's names, as the key has always said them, without a string made per entry.
    private static string KindName(LayerEntryKind kind) => kind switch
    {
        LayerEntryKind.Directory => nameof(LayerEntryKind.Directory),
        LayerEntryKind.File => nameof(LayerEntryKind.File),
        LayerEntryKind.Symlink => nameof(LayerEntryKind.Symlink),
        _ => kind.ToString(),
    };

    /// <summary>
    /// The key's hash, fed a line at a time: the line's text gathered in a reused buffer, then its UTF-8 and a newline.
    /// </summary>
    internal sealed class KeyLines : IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private char[] _chars = new char[512];
        private byte[] _bytes = new byte[2048];
        private int _length;

        public void Line(string text) => Add(text).End();

        public KeyLines Add(string? text)
        {
            text ??= "";
            Reserve(text.Length);
            text.CopyTo(_chars.AsSpan(_length));
            _length += text.Length;
            return this;
        }

        public KeyLines Add(char c)
        {
            Reserve(1);
            _chars[_length++] = c;
            return this;
        }

        // Never negative: no culture's minus sign can creep in.
        public KeyLines Add(long number)
        {
            Reserve(20);
            number.TryFormat(_chars.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture);
            _length += written;
            return this;
        }

        public KeyLines AddSha256(in FileHash file)
        {
            Reserve(64);
            file.FormatSha256(_chars.AsSpan(_length, 64));
            _length += 64;
            return this;
        }

        /// <summary>Ends the line: its UTF-8 (a lone surrogate as U+FFFD, as string encoding has it) and a newline go to the hash.</summary>
        public void End()
        {
            Add('\n');
            var most = Encoding.UTF8.GetMaxByteCount(_length);
            if (_bytes.Length < most)
            {
                _bytes = new byte[most];
            }
            var count = Encoding.UTF8.GetBytes(_chars.AsSpan(0, _length), _bytes);
            _hash.AppendData(_bytes, 0, count);
            _length = 0;
        }

        public Digest Digest() => Model.Digest.FromHash(_hash.GetHashAndReset());

        public void Dispose() => _hash.Dispose();

        private void Reserve(int more)
        {
            if (_length + more > _chars.Length)
            {
                Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + more));
            }
        }
    }

    /// <summary>
    /// A uid or gid over 2,097,151 is written in a PAX record (and in base-256), where the tar writer before
    /// <see cref="LayerTarWriter"/> kept only its low digits: such a layer gets a key of its own, so that no layer written
    /// the old way is taken from a cache or a registry. The other layers keep their keys.
    /// </summary>
    private static string IdsInPax(int userId, int groupId)
        => PaxRecords.FitsUstar(userId) && PaxRecords.FitsUstar(groupId) ? "" : ":ids-in-pax";

    /// <summary>
    /// What a file adds to the key: the bytes read and their SHA-256, held inline: a record and an array each were 3 MB
    /// of a folder of 50,000 files, in MSBuild's process.
    /// </summary>
    public readonly struct FileHash
    {
        private readonly Sha256Bytes _sha256;

        /// <summary>The hash <paramref name="content"/> has so far, which it forgets.</summary>
        public FileHash(long size, IncrementalHash content)
        {
            Size = size;
            content.GetHashAndReset(_sha256);
        }

        public long Size { get; }

        /// <summary>Writes the SHA-256 as 64 lowercase hex digits.</summary>
        public void FormatSha256(Span<char> destination) => Convert.TryToHexStringLower(_sha256, destination, out _);
    }

    [System.Runtime.CompilerServices.InlineArray(32)]
    private struct Sha256Bytes
    {
        private byte _first;
    }
}
