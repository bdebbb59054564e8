using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using ICSharpCode.SharpZipLib.Tar;

namespace Containers.Build.Tests.Support;

public sealed record TarEntryInfo(string Name, bool IsDirectory, int Mode, long Size, int UserId, int GroupId, string UserName, string GroupName, DateTime ModTime, string Content, byte TypeFlag = 0, string LinkName = "");

/// <summary>Reads a gzipped or zstd layer back: its entries and the sha256 of the uncompressed tar.</summary>
public static class TarReader
{
    public static (IReadOnlyList<TarEntryInfo> Entries, string DiffId) ReadGzippedLayer(string path) => ReadTar(Gunzip(path));

    /// <summary>A zstd layer's entries and diff_id, unpacked by ZstdSharp's decompressor.</summary>
    public static (IReadOnlyList<TarEntryInfo> Entries, string DiffId) ReadZstdLayer(string path) => ReadTar(Unzstd(File.ReadAllBytes(path)));

    public static byte[] Unzstd(byte[] zstd)
    {
        using var input = new ZstdSharp.DecompressionStream(new MemoryStream(zstd));
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static (IReadOnlyList<TarEntryInfo> Entries, string DiffId) ReadTar(byte[] tar)
    {
        var diffId = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar));

        var entries = new List<TarEntryInfo>();
        using var input = new TarInputStream(new MemoryStream(tar), Encoding.UTF8);
        while (input.GetNextEntry() is { } entry)
        {
            using var content = new MemoryStream();
            if (!entry.IsDirectory)
            {
                input.CopyEntryContents(content);
            }
            entries.Add(new TarEntryInfo(entry.Name, entry.IsDirectory, entry.TarHeader.Mode, entry.Size, entry.UserId, entry.GroupId,
                entry.UserName, entry.GroupName, entry.ModTime, Encoding.UTF8.GetString(content.ToArray()), entry.TarHeader.TypeFlag, entry.TarHeader.LinkName));
        }
        return (entries, diffId);
    }

    /// <summary>The uncompressed bytes of a gzipped file.</summary>
    public static byte[] Gunzip(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gzip.CopyTo(buffer);
        return buffer.ToArray();
    }
}

/// <summary>One 512-byte tar header as written, before any reader interprets it (PAX and GNU long-name entries included).</summary>
public sealed record RawTarHeader(string Name, char TypeFlag, long Size);

/// <summary>
/// Walks a gzipped tar's headers by hand. Readers such as SharpZipLib's fold PAX ('x', 'g') entries into the
/// entry that follows, so what those headers themselves carry (their names) is only visible in the bytes.
/// </summary>
public static class RawTarReader
{
    private const int Block = 512;

    public static IReadOnlyList<RawTarHeader> ReadGzippedHeaders(string path)
    {
        var tar = TarReader.Gunzip(path);

        var headers = new List<RawTarHeader>();
        for (var offset = 0; offset + Block <= tar.Length;)
        {
            var header = tar.AsSpan(offset, Block);
            if (!header.ContainsAnyExcept((byte)0))
            {
                break; // the end-of-archive blocks
            }
            var name = Text(header[..100]);
            // ustar keeps up to 155 more bytes of the path in the prefix field.
            if (header.Slice(257, 5).SequenceEqual("ustar"u8) && Text(header.Slice(345, 155)) is { Length: > 0 } prefix)
            {
                name = prefix + "/" + name;
            }
            var size = Size(header.Slice(124, 12));
            headers.Add(new RawTarHeader(name, (char)header[156], size));
            offset += Block + (int)((size + Block - 1) / Block * Block);
        }
        return headers;
    }

    private static string Text(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    private static long Size(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            // GNU base-256 for sizes that do not fit 11 octal digits.
            long value = field[0] & 0x7f;
            foreach (var b in field[1..])
            {
                value = (value << 8) | b;
            }
            return value;
        }
        var octal = Text(field).Trim(' ', '\0');
        return octal.Length == 0 ? 0 : Convert.ToInt64(octal, 8);
    }
}
