namespace Containers.Build.Layers;

/// <summary>
/// A package archive's deflate bytes for a file do not decompress to what its directory says (the file the publish
/// carries): the archive was damaged after NuGet unpacked it. Nothing of it was written into the layer, and
/// <see cref="LayerWriter"/> writes the layer again compressing every file itself.
/// </summary>
public sealed class PackageArchiveDamagedException(PackedEntry entry, string reason)
    : IOException($"'{entry.ArchivePath}' holds '{entry.EntryName}' as bytes that do not decompress to the published file ({reason}): the package cache is damaged.")
{
    public PackedEntry Entry { get; } = entry;
}
