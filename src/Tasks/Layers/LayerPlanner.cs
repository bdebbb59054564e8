using System.IO.Enumeration;

namespace Containers.Build.Layers;

/// <summary>Decides which file goes into which layer, and where in the image.</summary>
public static class LayerPlanner
{
    /// <summary>
    /// Every file of <paramref name="sourceDirectory"/> placed under <paramref name="containerDirectory"/>
    /// (an absolute POSIX path such as /app), split into layers by <paramref name="classification"/> unless
    /// <paramref name="mode"/> is Single. Within a layer, entries are sorted ordinally and every parent
    /// directory is an explicit entry, so the same folder always gives the same tar. Symbolic links are
    /// stored as links and never followed; files the classification excludes and empty layers are left out.
    /// </summary>
    public static IReadOnlyList<PlannedLayer> Plan(string sourceDirectory, string containerDirectory, FileClassification classification, LayeringMode mode)
    {
        var prefix = containerDirectory.Trim('/');
        var byKind = new SortedDictionary<LayerKind, Dictionary<string, LayerEntry>>();

        foreach (var (relative, entry) in Walk(Path.GetFullPath(sourceDirectory), prefix))
        {
            if (classification.IsExcluded(relative))
            {
                continue;
            }
            var kind = mode == LayeringMode.Single ? LayerKind.Application : classification.KindOf(relative);
            if (!byKind.TryGetValue(kind, out var entries))
            {
                entries = new Dictionary<string, LayerEntry>(StringComparer.Ordinal);
                byKind[kind] = entries;
            }
            AddParents(entries, entry.ContainerPath);
            entries[entry.ContainerPath] = entry.Kind == LayerEntryKind.File && classification.Packed.TryGetValue(relative, out var packed)
                ? entry with { Packed = packed }
                : entry;
        }
        if (byKind.Count == 0 && prefix.Length > 0)
        {
            // An empty publish folder still gives the app its directory.
            var entries = new Dictionary<string, LayerEntry>(StringComparer.Ordinal);
            AddParents(entries, prefix + "/.");
            byKind[LayerKind.Application] = entries;
        }

        return byKind
            .Select(pair => new PlannedLayer(pair.Key, SortedByPath(pair.Value.Values)))
            .ToArray();
    }

    /// <summary>The same as <see cref="Plan"/> with everything in one layer.</summary>
    public static IReadOnlyList<LayerEntry> PlanDirectory(string sourceDirectory, string containerDirectory)
        => Plan(sourceDirectory, containerDirectory, FileClassification.Empty, LayeringMode.Single).Single().Entries;

    /// <summary>The given files and links with every parent directory as an explicit entry, sorted as <see cref="Plan"/> sorts.</summary>
    internal static IReadOnlyList<LayerEntry> WithParents(IEnumerable<LayerEntry> entries)
    {
        var all = new Dictionary<string, LayerEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            AddParents(all, entry.ContainerPath);
            all[entry.ContainerPath] = entry;
        }
        return SortedByPath(all.Values);
    }

    /// <summary>The entries by <see cref="LayerEntry.ContainerPath"/>, ordinally (the paths are unique: a dictionary's keys).</summary>
    private static LayerEntry[] SortedByPath(IEnumerable<LayerEntry> entries)
    {
        var sorted = entries.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.ContainerPath, b.ContainerPath));
        return sorted;
    }

    /// <remarks>
    /// The parent is looked up as a slice of the path, and a string made only for a directory not yet there: a substring per
    /// file had been 4 MB of garbage on a folder of 50,000 files, in MSBuild's process.
    /// </remarks>
    private static void AddParents(Dictionary<string, LayerEntry> entries, string containerPath)
    {
        var byPath = entries.GetAlternateLookup<ReadOnlySpan<char>>();
        var slash = containerPath.LastIndexOf('/');
        while (slash > 0 && !byPath.ContainsKey(containerPath.AsSpan(0, slash)))
        {
            var path = containerPath[..slash];
            entries[path] = LayerEntry.Directory(path);
            slash = path.LastIndexOf('/');
        }
    }

    /// <summary>
    /// Files, links and empty directories under <paramref name="root"/> with their publish-relative paths; links to
    /// directories are not entered. An empty directory is kept: with a root-owned app directory, the app could not
    /// create it at run time. Anything else (a FIFO, a socket, a device) is an error, and is never opened; so is a name that is not UTF-8.
    /// </summary>
    /// <remarks>
    /// One lstat per entry says what it is and whether it is executable (<see cref="FileType.Of"/>); the directory
    /// listing gives only names. Asking <see cref="FileSystemInfo"/> cost two lstat calls and a geteuid per file, and
    /// most of the planning of a folder of 50,000 files.
    /// </remarks>
    private static IEnumerable<(string Relative, LayerEntry Entry)> Walk(string root, string prefix)
    {
        var status = FileType.NewStatusBuffer();
        var names = new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = false };
        // Directories to list, each with its path relative to the root ("" for the root, else ending in '/').
        var pending = new Stack<(string FullPath, string Relative)>();
        pending.Push((root, ""));
        while (pending.Count > 0)
        {
            var (directory, relativeDirectory) = pending.Pop();
            var isEmpty = true;
            // Each name comes as the path relative to the root, the one string the plan keeps of it besides the full path.
            foreach (var relative in new FileSystemEnumerable<string>(directory, (ref FileSystemEntry entry) => string.Concat(relativeDirectory, entry.FileName), names))
            {
                isEmpty = false;
                var name = relative.AsSpan(relativeDirectory.Length);
                var fullPath = Path.Join(directory.AsSpan(), name);
                var found = FileType.Of(fullPath, status);
                // A name that is not UTF-8 comes back with U+FFFD for its bad bytes, and is not found under it.
                if (found is null && name.Contains('\uFFFD'))
                {
                    throw new FileNameNotUtf8Exception(relative);
                }
                if (name.StartsWith(".wh.", StringComparison.Ordinal))
                {
                    throw new WhiteoutNameException(relative);
                }
                var containerPath = prefix.Length > 0 ? $"{prefix}/{relative}" : relative;
                switch (found ?? throw new FileNotFoundException($"'{relative}' was listed in the publish folder and is gone.", fullPath))
                {
                    case { Kind: PathKind.Link }:
                        yield return (relative, LayerEntry.Symlink(containerPath, new FileInfo(fullPath).LinkTarget!));
                        break;
                    case { Kind: PathKind.Directory }:
                        pending.Push((fullPath, relative + "/"));
                        break;
                    case { Kind: PathKind.Special, Special: var special }:
                        throw new SpecialFileException(relative, special!);
                    case { AnyExecuteBit: var executable }:
                        // A hard link is read like any file: its content goes into the layer as a regular file.
                        yield return (relative, LayerEntry.File(containerPath, fullPath, executable && !IsNeverExecuted(relative)));
                        break;
                }
            }
            if (isEmpty && relativeDirectory.Length > 0)
            {
                var relative = relativeDirectory.TrimEnd('/');
                yield return (relative, LayerEntry.Directory(prefix.Length > 0 ? $"{prefix}/{relative}" : relative));
            }
        }
    }

    // NuGet extracts every package file with the execute bit (0744), so on assemblies and data files the bit
    // says nothing: they are loaded or read, never run, and get 0644 like the rest.
    private static readonly HashSet<string> NeverExecutedExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".dll", ".pdb", ".xml", ".json", ".config", ".txt", ".md", ".resources",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> NeverExecutedExtensionOf = NeverExecutedExtensions.GetAlternateLookup<ReadOnlySpan<char>>();

    private static bool IsNeverExecuted(string path) => NeverExecutedExtensionOf.Contains(Path.GetExtension(path.AsSpan()));
}
