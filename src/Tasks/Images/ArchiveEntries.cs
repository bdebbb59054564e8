using System.Formats.Tar;
using System.IO.Compression;

namespace Containers.Build.Images;

/// <summary>The entries of a base image's tar archive (plain or gzipped), streamed in order, never unpacked to disk.</summary>
internal static class ArchiveEntries
{
    /// <summary>
    /// Visits every regular file of a tar file, plain or gzipped (its name without a leading "./"), and reports each
    /// symbolic link to <paramref name="link"/> (its name and its target, resolved against the link's folder).
    /// </summary>
    public static async Task ReadAsync(string file, string source, Func<string, TarEntry, Task> visit, CancellationToken cancellationToken, Action<string, string>? link = null)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, FileBuffer.Size, useAsync: true);
        var magic = new byte[2];
        var gzipped = await stream.ReadAtLeastAsync(magic, 2, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        stream.Position = 0;
        await using Stream content = gzipped ? new GZipStream(stream, CompressionMode.Decompress) : stream;
        await ReadAsync(content, source, file, visit, cancellationToken, link).ConfigureAwait(false);
    }

    /// <summary>The same over a plain tar stream read once, front to back (an engine's save as it is written).</summary>
    /// <param name="describe">Where the stream comes from, for the message when it is not a tar.</param>
    public static async Task ReadAsync(Stream tar, string source, string describe, Func<string, TarEntry, Task> visit, CancellationToken cancellationToken, Action<string, string>? link = null)
    {
        try
        {
            await using var reader = new TarReader(tar, leaveOpen: true);
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                var name = Normalize(entry.Name);
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is not null)
                {
                    await visit(name, entry).ConfigureAwait(false);
                }
                else if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink && link is not null)
                {
                    var target = entry.EntryType == TarEntryType.HardLink || entry.LinkName.StartsWith('/')
                        ? Normalize(entry.LinkName.TrimStart('/'))
                        : Normalize(Path.GetRelativePath("/", Path.GetFullPath(Path.Combine("/", Path.GetDirectoryName(name) ?? "", entry.LinkName))));
                    link(name, target);
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source, $"The base image {source} names {describe}, which is not a readable tar archive: {e.Message}");
        }
    }

    public static string Normalize(string name) => name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;

    public static async Task<byte[]> ReadAllAsync(Stream data, CancellationToken cancellationToken)
    {
        using var memory = new MemoryStream();
        await data.CopyToAsync(memory, cancellationToken).ConfigureAwait(false);
        return memory.ToArray();
    }
}
