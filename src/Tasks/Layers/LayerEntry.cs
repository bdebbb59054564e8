namespace Containers.Build.Layers;

public enum LayerEntryKind
{
    Directory,
    File,
    Symlink,
}

/// <summary>
/// One entry of a layer: where it goes in the image (a relative POSIX path such as <c>app/WebApp.dll</c>),
/// what it is, its permission bits, and where a file's content comes from or what a link points at.
/// </summary>
public sealed record LayerEntry(string ContainerPath, LayerEntryKind Kind, int Mode, string? SourcePath = null, string? LinkTarget = null)
{
    public const int DirectoryMode = 0b111_101_101; // 0755
    public const int ExecutableMode = 0b111_101_101; // 0755
    public const int RegularFileMode = 0b110_100_100; // 0644
    public const int SymlinkMode = 0b111_111_111; // 0777, as links are on Linux

    public static LayerEntry Directory(string containerPath) => new(containerPath, LayerEntryKind.Directory, DirectoryMode);

    public static LayerEntry File(string containerPath, string sourcePath, bool executable)
        => new(containerPath, LayerEntryKind.File, executable ? ExecutableMode : RegularFileMode, sourcePath);

    public static LayerEntry Symlink(string containerPath, string target) => new(containerPath, LayerEntryKind.Symlink, SymlinkMode, null, target);
}
