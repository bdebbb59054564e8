namespace Containers.Build.Layers;

/// <summary>
/// For one layer's write, the package archives its files came from (each directory read once), and which files can go
/// into the gzip as their package deflated them: those whose content is the archive's entry, by length and CRC-32.
/// </summary>
internal sealed class PackedEntries
{
    private readonly Dictionary<string, PackageArchive?> _archives = new(StringComparer.Ordinal);

    /// <summary>
    /// The deflate bytes standing for <paramref name="entry"/>'s content, read from <paramref name="content"/> (left at its
    /// start again), or null when the file is not its package's entry as packed (a file changed after NuGet unpacked it, an
    /// archive gone or unreadable, an entry stored or too large).
    /// </summary>
    public PackedEntry? Find(LayerEntry entry, Stream content, byte[] buffer)
    {
        if (entry.Packed is not { } packed || entry.Content is not null || entry.Overlay is not null || !content.CanSeek)
        {
            return null;
        }
        if (!_archives.TryGetValue(packed.PackagePath, out var archive))
        {
            archive = PackageArchive.Open(packed.PackagePath);
            _archives[packed.PackagePath] = archive;
        }
        if (archive?.Find(packed.EntryName, content.Length) is not { } found)
        {
            return null;
        }
        // A read of the file before the one that tars it (at several GB/s, against a compression of tens of MB/s): the
        // decision must come before its bytes reach the compressor. The gzip checks them again as they pass.
        uint crc = 0;
        int read;
        while ((read = content.Read(buffer, 0, buffer.Length)) > 0)
        {
            crc = Crc32.Append(crc, buffer.AsSpan(0, read));
        }
        content.Position = 0;
        return crc == found.Crc ? found : null;
    }
}
