using System.Buffers.Binary;
using ICSharpCode.SharpZipLib.Zip;

namespace Containers.Build.Layers;

/// <summary>
/// A NuGet package (.nupkg, a zip) read for the deflate bytes of its files. NuGet compresses each file at zlib's default
/// level, the SDK's own, and a gzip member may hold any deflate stream: so a layer can carry those bytes as they are
/// (<see cref="ParallelGzipStream.Substitute"/>) rather than compress the unpacked file again, which on a cold publish
/// was most of the work. Only the directory is read here; the bytes themselves are read and checked when used.
/// </summary>
public sealed class PackageArchive
{
    // Larger entries are compressed as any file is: a member is held whole in memory while it is checked and written.
    internal const int MaxCompressedLength = 16 << 20;

    private const uint LocalHeaderSignature = 0x04034B50;
    private const int LocalHeaderLength = 30;
    private const int EncryptedFlag = 1;

    private readonly string _path;
    private readonly Dictionary<string, ZipEntry> _entries;

    private PackageArchive(string path, Dictionary<string, ZipEntry> entries)
    {
        _path = path;
        _entries = entries;
    }

    /// <summary>The archive's directory, or null when it cannot be read as a zip (its files are then compressed as any are).</summary>
    public static PackageArchive? Open(string path)
    {
        try
        {
            using var zip = new ZipFile(path);
            var entries = new Dictionary<string, ZipEntry>(StringComparer.Ordinal);
            foreach (ZipEntry entry in zip)
            {
                if (entry.IsFile)
                {
                    // NuGet escapes some characters of the names it packs (a space as %20) and unescapes them when it
                    // unpacks, as the assets file names them.
                    entries.TryAdd(Uri.UnescapeDataString(entry.Name), entry);
                }
            }
            return new PackageArchive(path, entries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ZipException)
        {
            return null;
        }
    }

    /// <summary>
    /// Where <paramref name="entryName"/>'s deflate bytes are, when the archive holds it deflated, unencrypted, no larger
    /// than <see cref="MaxCompressedLength"/>, and <paramref name="length"/> bytes long unpacked; else null.
    /// </summary>
    public PackedEntry? Find(string entryName, long length)
    {
        if (!_entries.TryGetValue(entryName, out var entry)
            || entry.CompressionMethod != CompressionMethod.Deflated
            || (entry.Flags & EncryptedFlag) != 0
            || entry.Size != length
            || length == 0
            || entry.CompressedSize <= 0
            || entry.CompressedSize > MaxCompressedLength)
        {
            return null;
        }
        // The data follows the entry's local header, whose name and extra field may differ in length from the directory's.
        Span<byte> header = stackalloc byte[LocalHeaderLength];
        try
        {
            using var handle = File.OpenHandle(_path);
            if (RandomAccess.Read(handle, header, entry.Offset) != LocalHeaderLength
                || BinaryPrimitives.ReadUInt32LittleEndian(header) != LocalHeaderSignature)
            {
                return null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var dataOffset = entry.Offset + LocalHeaderLength + BinaryPrimitives.ReadUInt16LittleEndian(header[26..]) + BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
        return new PackedEntry(_path, entryName, dataOffset, (int)entry.CompressedSize, entry.Size, unchecked((uint)entry.Crc));
    }
}
