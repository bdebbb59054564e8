using System.Formats.Tar;
using System.Text;
using Containers.Build.Layers;
using Containers.Build.Model;

namespace Containers.Build.Native;

/// <summary>
/// The paths a layer's tar holds, kept by digest (<c>layer-files-2/&lt;digest hex&gt;</c>) so that a base layer, which
/// every build of every app on that base shares, is read through once and never again: in the machine's shared folder
/// when the store has one (<see cref="ContentStore.SharedRoot"/>: every project, every clean <c>obj/</c>, reuses it),
/// else in the project's store. A record in either is used.
/// </summary>
/// <remarks>
/// The record is text, one entry a line: a kind letter, a tab, the path, and for a link a tab and its target (for a loader
/// configuration file, the letter c and its text), with
/// backslash, tab, carriage return and line feed escaped (<c>\\ \t \r \n</c>), so no name can break a line or forge
/// one. It starts with a version line and ends with a count; it is written under a temporary name and renamed,
/// and one that does not parse is a miss: the layer is read again and the record replaced.
/// </remarks>
public static class LayerFileList
{
    // Version 2 keeps the text of the loader's configuration files (LoaderConfiguration), in a folder of its own, so that a
    // version 1 record (which has none) is never taken for one, and the tool versions on one machine keep their own.
    private const string Header = "containers-build layer-files 2";
    private const string RecordFolder = "layer-files-2";
    private const string Trailer = "end";

    /// <summary>
    /// The layer's entries, in tar order: from the record when there is one, otherwise read from the file
    /// <paramref name="getGzippedFile"/> returns (the layer blob: gzipped, zstd or a plain tar) and recorded.
    /// The digest names the record, so the file must be one the caller trusts to hold that layer.
    /// </summary>
    /// <exception cref="UnreadableLayerException">The file is not a tar archive, plain, gzipped or zstd; nothing is recorded.</exception>
    public static async Task<IReadOnlyList<LayerPath>> ReadAsync(
        Digest layerDigest,
        Func<CancellationToken, Task<string>> getGzippedFile,
        ContentStore store,
        CancellationToken cancellationToken)
    {
        foreach (var candidate in RecordPaths(layerDigest, store))
        {
            if (await TryReadRecordAsync(candidate, cancellationToken).ConfigureAwait(false) is { } recorded)
            {
                MarkUsed(candidate);
                return recorded;
            }
        }
        var file = await getGzippedFile(cancellationToken).ConfigureAwait(false);
        var entries = await ReadArchiveAsync(layerDigest, file, cancellationToken).ConfigureAwait(false);
        var record = RecordPaths(layerDigest, store).Last();
        var directory = Path.GetDirectoryName(record)!;
        // What a killed build left half-written here; another build's record in progress stays.
        PendingFile.RemoveAbandoned(directory);
        await AtomicFile.WriteAsync(record, (stream, token) => WriteRecordAsync(stream, entries, token), cancellationToken).ConfigureAwait(false);
        if (store.SharedRoot is not null)
        {
            RemoveUnused(directory);
        }
        return entries;
    }

    /// <summary>Whether the store (or the machine's shared folder) holds a record of the layer's paths (so listing it reads no layer).</summary>
    public static bool IsRecorded(Digest layerDigest, ContentStore store) => RecordPaths(layerDigest, store).Any(File.Exists);

    /// <summary>How long a record in the shared folder stays unused before a new one's writing removes it.</summary>
    public static readonly TimeSpan SharedRecordLifetime = TimeSpan.FromDays(30);

    /// <summary>Where a record may be, in the order looked at: the project's store, then the shared folder, where a new one goes.</summary>
    private static IEnumerable<string> RecordPaths(Digest layerDigest, ContentStore store)
    {
        yield return Path.Combine(store.Root, RecordFolder, layerDigest.Hex);
        if (store.SharedRoot is { } shared)
        {
            yield return Path.Combine(shared, RecordFolder, layerDigest.Hex);
        }
    }

    /// <summary>
    /// Marks a record as used today (its write time, at most once a day), so that <see cref="RemoveUnused"/> keeps the
    /// records of bases still built on and the shared folder holds no more than the bases of the last month.
    /// </summary>
    private static void MarkUsed(string record)
    {
        try
        {
            var now = DateTime.UtcNow;
            if (now - File.GetLastWriteTimeUtc(record) > TimeSpan.FromDays(1))
            {
                File.SetLastWriteTimeUtc(record, now);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another build's at the same moment, or a read-only cache: the record is as good; it may be removed sooner.
        }
    }

    /// <summary>Removes the records of the shared folder that no build used for <see cref="SharedRecordLifetime"/>.</summary>
    private static void RemoveUnused(string directory)
    {
        var cutoff = DateTime.UtcNow - SharedRecordLifetime;
        foreach (var record in new DirectoryInfo(directory).EnumerateFiles())
        {
            if (record.LastWriteTimeUtc < cutoff && Digest.TryParse("sha256:" + record.Name, out _))
            {
                AtomicFile.TryDelete(record.FullName);
            }
        }
    }

    /// <summary>
    /// A tar entry's name as a path from the image root: no "./" or "/" in front, no "/" behind, "." segments dropped
    /// and ".." taken back (never above the root, as engines apply a layer). Empty for the root itself.
    /// </summary>
    public static string NormalizeName(string name)
    {
        var segments = new List<string>();
        foreach (var segment in name.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
                continue;
            }
            segments.Add(segment);
        }
        return string.Join('/', segments);
    }

    /// <summary>
    /// The archive's entries, read synchronously on a pool thread: a base layer is hundreds of MB of tar to inflate, and
    /// an await per entry cost a quarter of the time; several layers are read side by side.
    /// </summary>
    private static Task<IReadOnlyList<LayerPath>> ReadArchiveAsync(Digest digest, string file, CancellationToken cancellationToken)
        => Task.Run(() => ReadArchive(digest, file, cancellationToken), cancellationToken);

    private static IReadOnlyList<LayerPath> ReadArchive(Digest digest, string file, CancellationToken cancellationToken)
    {
        var entries = new List<LayerPath>();
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, FileBuffer.Size);
            var magic = new byte[LayerMagic.Length];
            var read = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
            stream.Position = 0;
            using var content = LayerMagic.Decompressed(stream, magic.AsSpan(0, read));
            using var reader = new TarReader(content, leaveOpen: true);
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
                {
                    // Metadata for the entries that follow, not a file.
                    continue;
                }
                var path = NormalizeName(entry.Name);
                if (path.Length == 0)
                {
                    continue;
                }
                entries.Add(entry.EntryType switch
                {
                    TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile or TarEntryType.SparseFile
                        => new LayerPath(path, LayerPathKind.File) { Text = LoaderConfiguration.IsConfigurationPath(path) ? TextOf(entry.DataStream) : null },
                    TarEntryType.Directory => new LayerPath(path, LayerPathKind.Directory),
                    TarEntryType.SymbolicLink => new LayerPath(path, LayerPathKind.Symlink, entry.LinkName),
                    TarEntryType.HardLink => new LayerPath(path, LayerPathKind.HardLink, NormalizeName(entry.LinkName)),
                    _ => new LayerPath(path, LayerPathKind.Other),
                });
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ZstdSharp.ZstdException)
        {
            throw new UnreadableLayerException(digest, e);
        }
        return entries;
    }

    /// <summary>A loader configuration file's text: its first <see cref="LoaderConfiguration.MaxBytes"/>, as UTF-8.</summary>
    public static string TextOf(Stream? data)
    {
        if (data is null)
        {
            return "";
        }
        var buffer = new byte[LoaderConfiguration.MaxBytes];
        var read = data.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>The record, made in memory and written at once (a line at a time, awaited, cost more than reading the layer's list).</summary>
    private static async Task WriteRecordAsync(Stream stream, IReadOnlyList<LayerPath> entries, CancellationToken cancellationToken)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var entry in entries)
        {
            text.Append(entry.Text is null ? KindLetter(entry.Kind) : ConfigurationLetter).Append('\t');
            Escape(entry.Path, text);
            if ((entry.LinkTarget ?? entry.Text) is { } third)
            {
                text.Append('\t');
                Escape(third, text);
            }
            text.Append('\n');
        }
        text.Append(Trailer).Append('\t').Append(entries.Count).Append('\n');
        await stream.WriteAsync(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text.ToString()), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<LayerPath>?> TryReadRecordAsync(string record, CancellationToken cancellationToken)
    {
        string[] lines;
        try
        {
            lines = await File.ReadAllLinesAsync(record, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        if (lines.Length < 2 || lines[0] != Header || lines[^1] != $"{Trailer}\t{lines.Length - 2}")
        {
            return null;
        }
        var entries = new List<LayerPath>(lines.Length - 2);
        for (var i = 1; i < lines.Length - 1; i++)
        {
            if (ParseLine(lines[i]) is not { } entry)
            {
                return null;
            }
            entries.Add(entry);
        }
        return entries;
    }

    private static LayerPath? ParseLine(string line)
    {
        var fields = line.Split('\t');
        if (fields.Length == 3 && fields[0] == ConfigurationLetter.ToString() && Unescape(fields[1]) is { Length: > 0 } file && Unescape(fields[2]) is { } text)
        {
            return new LayerPath(file, LayerPathKind.File) { Text = text };
        }
        if (fields.Length is < 2 or > 3 || fields[0].Length != 1 || KindOf(fields[0][0]) is not { } kind)
        {
            return null;
        }
        var path = Unescape(fields[1]);
        var target = fields.Length == 3 ? Unescape(fields[2]) : null;
        var hasTarget = kind is LayerPathKind.Symlink or LayerPathKind.HardLink;
        if (path is null || path.Length == 0 || hasTarget != (target is not null))
        {
            return null;
        }
        return new LayerPath(path, kind, target);
    }

    // A file with its text (a loader configuration file): the path, then the text.
    private const char ConfigurationLetter = 'c';

    private static char KindLetter(LayerPathKind kind) => kind switch
    {
        LayerPathKind.File => 'f',
        LayerPathKind.Directory => 'd',
        LayerPathKind.Symlink => 'l',
        LayerPathKind.HardLink => 'h',
        _ => 'o',
    };

    private static LayerPathKind? KindOf(char letter) => letter switch
    {
        'f' => LayerPathKind.File,
        'd' => LayerPathKind.Directory,
        'l' => LayerPathKind.Symlink,
        'h' => LayerPathKind.HardLink,
        'o' => LayerPathKind.Other,
        _ => null,
    };

    private static void Escape(string text, StringBuilder into)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': into.Append(@"\\"); break;
                case '\t': into.Append(@"\t"); break;
                case '\r': into.Append(@"\r"); break;
                case '\n': into.Append(@"\n"); break;
                default: into.Append(c); break;
            }
        }
    }

    private static string? Unescape(string text)
    {
        if (!text.Contains('\\'))
        {
            return text;
        }
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }
            if (++i == text.Length)
            {
                return null;
            }
            switch (text[i])
            {
                case '\\': result.Append('\\'); break;
                case 't': result.Append('\t'); break;
                case 'r': result.Append('\r'); break;
                case 'n': result.Append('\n'); break;
                default: return null;
            }
        }
        return result.ToString();
    }
}
