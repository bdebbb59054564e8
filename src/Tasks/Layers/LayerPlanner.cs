namespace Containers.Build.Layers;

/// <summary>Decides what goes into the application layer and where.</summary>
public static class LayerPlanner
{
    /// <summary>
    /// Every file under <paramref name="sourceDirectory"/>, placed under <paramref name="containerDirectory"/>
    /// (an absolute POSIX path such as /app). Entries are sorted ordinally and every parent directory is an
    /// explicit entry, so the same folder always gives the same tar.
    /// </summary>
    public static IReadOnlyList<LayerEntry> PlanDirectory(string sourceDirectory, string containerDirectory)
    {
        var root = Path.GetFullPath(sourceDirectory);
        var prefix = containerDirectory.Trim('/');
        var entries = new Dictionary<string, LayerEntry>(StringComparer.Ordinal);

        void AddDirectoryChain(string containerPath)
        {
            var path = containerPath;
            while (path.Length > 0 && !entries.ContainsKey(path))
            {
                entries[path] = LayerEntry.Directory(path);
                var slash = path.LastIndexOf('/');
                path = slash < 0 ? "" : path[..slash];
            }
        }

        if (prefix.Length > 0)
        {
            AddDirectoryChain(prefix);
        }
        foreach (var file in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            var containerPath = prefix.Length > 0 ? $"{prefix}/{relative}" : relative;
            var parent = containerPath.LastIndexOf('/');
            if (parent > 0)
            {
                AddDirectoryChain(containerPath[..parent]);
            }
            entries[containerPath] = LayerEntry.File(containerPath, file, IsExecutable(file));
        }
        return entries.Values.OrderBy(e => e.ContainerPath, StringComparer.Ordinal).ToArray();
    }

    private static bool IsExecutable(string file)
        => !OperatingSystem.IsWindows()
           && (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
