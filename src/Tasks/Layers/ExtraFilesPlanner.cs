namespace Containers.Build.Layers;

/// <summary>
/// The layer of ContainerFile and ContainerDirectory items. It holds exactly the items' entries, sorted ordinally
/// like every planned layer, and no parent directories: a parent the base has (/etc, /tmp) keeps its mode and
/// owner, and one it lacks is made by the runtime (root, 0755), as for Dockerfile's COPY.
/// </summary>
public static class ExtraFilesPlanner
{
    /// <returns>The layer, or null when there are no items.</returns>
    public static PlannedLayer? Plan(ExtraFiles extras)
    {
        if (extras.IsEmpty)
        {
            return null;
        }
        var entries = new List<LayerEntry>();
        foreach (var file in extras.Files)
        {
            entries.Add(FileEntry(file));
        }
        foreach (var directory in extras.Directories)
        {
            entries.Add(new LayerEntry(directory.ContainerPath, LayerEntryKind.Directory, directory.Mode) { Owner = directory.Owner });
        }
        return new PlannedLayer(LayerKind.ExtraFiles, entries.OrderBy(e => e.ContainerPath, StringComparer.Ordinal).ToArray());
    }

    private static LayerEntry FileEntry(ExtraFile file)
    {
        var info = new FileInfo(file.SourcePath);
        // A link is there even when what it points at is not (lstat, not stat).
        if (!FileType.Exists(file.SourcePath) || (info.LinkTarget is null && !info.Exists && !Directory.Exists(file.SourcePath)))
        {
            throw new ExtraFileMissingException(file.Item, file.SourcePath, "does not exist");
        }
        if (info.LinkTarget is { } target)
        {
            // A link stays a link (its target is not read): as in the publish output.
            return LayerEntry.Symlink(file.ContainerPath, target) with { Owner = file.Owner };
        }
        if (Directory.Exists(file.SourcePath))
        {
            throw new ExtraFileMissingException(file.Item, file.SourcePath, "is a directory (for its files, use a glob such as 'dir/**' and a Destination ending in '/'; for an empty directory, a ContainerDirectory)");
        }
        if (FileType.SpecialKindOf(file.SourcePath) is { } special)
        {
            throw new ExtraFileMissingException(file.Item, file.SourcePath, $"is {special}, not a file");
        }
        var executable = !OperatingSystem.IsWindows()
            && (info.UnixFileMode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        var mode = file.Mode ?? (executable ? LayerEntry.ExecutableMode : LayerEntry.RegularFileMode);
        return new LayerEntry(file.ContainerPath, LayerEntryKind.File, mode, info.FullName) { Owner = file.Owner };
    }
}
