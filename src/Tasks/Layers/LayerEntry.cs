namespace Containers.Build.Layers;

public enum LayerEntryKind
{
    Directory,
    File,
    Symlink,
}

/// <summary>
/// One entry of a layer: where it goes in the image (a relative POSIX path such as <c>app/WebApp.dll</c>),
/// what it is, its permission bits, and where a file's content comes from (a file, or bytes the plan made,
/// <see cref="Content"/>) or what a link points at.
/// </summary>
public sealed record LayerEntry(string ContainerPath, LayerEntryKind Kind, int Mode, string? SourcePath = null, string? LinkTarget = null)
{
    private readonly string? _sourcePath = SourcePath;

    /// <summary>The file whose content this entry has: given, or made from <see cref="Folder"/> (a new string each time).</summary>
    public string? SourcePath
    {
        get => _sourcePath ?? Folder?.FullPathOf(ContainerPath);
        init => _sourcePath = value;
    }

    /// <summary>For a file of a walked folder, without a <see cref="SourcePath"/> of its own: the folder it is in.</summary>
    public SourceFolder? Folder { get; init; }

    /// <summary>A file's content when the plan made it (a publish file rewritten for the image), instead of <see cref="SourcePath"/>'s.</summary>
    public byte[]? Content { get; init; }

    /// <summary>Bytes the plan writes over <see cref="SourcePath"/>'s when the image reads it (a rewrite that keeps the file's length), or null.</summary>
    public ByteOverlay? Overlay { get; init; }

    /// <summary>
    /// This entry's owner (a ContainerFile or ContainerDirectory item's Owner); null for the layer's owner
    /// (<see cref="LayerOptions.UserId"/>), as every published file has.
    /// </summary>
    public LayerOwner? Owner { get; init; }

    /// <summary>
    /// The NuGet package a published file was unpacked from, whose deflate bytes for it a gzip layer may carry as they are
    /// (<see cref="LayerOptions.ReusesPackageCompression"/>); null for any other file.
    /// </summary>
    public PackedFile? Packed { get; init; }

    /// <summary>A file's content, from <see cref="Content"/> or from <see cref="SourcePath"/> with any <see cref="Overlay"/> (read synchronously, buffered by the caller).</summary>
    /// <param name="reader">
    /// A reader of this thread's (<see cref="FileReadStream.Reusable"/>), with no file open, that a file of a walked folder is
    /// opened in; null: a reader of its own.
    /// </param>
    public Stream OpenContent(FileReadStream? reader = null)
        => Content is { } bytes ? new MemoryStream(bytes, writable: false)
            : Overlay is { } overlay ? overlay.Open(SourcePath!)
            : _sourcePath is null && Folder is { } folder && reader is not null ? folder.Open(ContainerPath, reader)
            : new FileReadStream(SourcePath!);

    public const int DirectoryMode = 0b111_101_101; // 0755
    public const int ExecutableMode = 0b111_101_101; // 0755
    public const int RegularFileMode = 0b110_100_100; // 0644
    public const int SymlinkMode = 0b111_111_111; // 0777, as links are on Linux

    public static LayerEntry Directory(string containerPath) => new(containerPath, LayerEntryKind.Directory, DirectoryMode);

    public static LayerEntry File(string containerPath, string sourcePath, bool executable)
        => new(containerPath, LayerEntryKind.File, executable ? ExecutableMode : RegularFileMode, sourcePath);

    /// <summary>A file of a walked folder, at its container path in <paramref name="folder"/>.</summary>
    public static LayerEntry File(string containerPath, SourceFolder folder, bool executable)
        => new(containerPath, LayerEntryKind.File, executable ? ExecutableMode : RegularFileMode) { Folder = folder };

    public static LayerEntry Symlink(string containerPath, string target) => new(containerPath, LayerEntryKind.Symlink, SymlinkMode, null, target);
}
