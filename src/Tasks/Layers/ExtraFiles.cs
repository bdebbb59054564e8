namespace Containers.Build.Layers;

/// <summary>
/// A ContainerFile item, one file: where it comes from and where it goes in the image (a relative POSIX path
/// such as <c>etc/app/app.json</c>), its mode (null: 0644, or 0755 when the file has an execute bit) and owner.
/// </summary>
/// <param name="Item">The item as the project wrote it, for messages.</param>
public sealed record ExtraFile(string Item, string SourcePath, string ContainerPath, int? Mode, LayerOwner Owner);

/// <summary>A ContainerDirectory item: an empty directory at <paramref name="ContainerPath"/> (relative, as in <see cref="ExtraFile"/>).</summary>
public sealed record ExtraDirectory(string Item, string ContainerPath, int Mode, LayerOwner Owner);

/// <summary>The files and directories that go into the image besides the publish output, in a layer of their own.</summary>
public sealed record ExtraFiles(IReadOnlyList<ExtraFile> Files, IReadOnlyList<ExtraDirectory> Directories)
{
    public static ExtraFiles None { get; } = new([], []);

    public bool IsEmpty => Files.Count == 0 && Directories.Count == 0;

    /// <summary>Whether an item is owned by the image's user, which then has to be known (ContainerUser or the base's APP_UID).</summary>
    public bool NeedsAppUser => Files.Any(f => f.Owner.IsAppUser) || Directories.Any(d => d.Owner.IsAppUser);
}
