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
        var byKind = new SortedDictionary<LayerKind, EntriesWithParents>();

        // Each entry's container path is the prefix, a '/', and its path relative to the publish folder.
        var relativeStart = prefix.Length > 0 ? prefix.Length + 1 : 0;
        foreach (var entry in Walk(Path.GetFullPath(sourceDirectory), prefix))
        {
            var relative = entry.ContainerPath.AsSpan(relativeStart);
            if (classification.IsExcluded(relative))
            {
                continue;
            }
            var kind = mode == LayeringMode.Single ? LayerKind.Application : classification.KindOf(relative);
            if (!byKind.TryGetValue(kind, out var entries))
            {
                entries = new EntriesWithParents();
                byKind[kind] = entries;
            }
            entries.Add(entry.Kind == LayerEntryKind.File && classification.PackedFileAt(relative) is { } packed
                ? entry with { Packed = packed }
                : entry);
        }
        if (byKind.Count == 0 && prefix.Length > 0)
        {
            // An empty publish folder still gives the app its directory.
            var entries = new EntriesWithParents();
            entries.Add(LayerEntry.Directory(prefix));
            byKind[LayerKind.Application] = entries;
        }

        return byKind
            .Select(pair => new PlannedLayer(pair.Key, pair.Value.SortedByPath()))
            .ToArray();
    }

    /// <summary>The same as <see cref="Plan"/> with everything in one layer.</summary>
    public static IReadOnlyList<LayerEntry> PlanDirectory(string sourceDirectory, string containerDirectory)
        => Plan(sourceDirectory, containerDirectory, FileClassification.Empty, LayeringMode.Single).Single().Entries;

    /// <summary>The given files and links with every parent directory as an explicit entry, sorted as <see cref="Plan"/> sorts.</summary>
    internal static IReadOnlyList<LayerEntry> WithParents(IEnumerable<LayerEntry> entries)
    {
        var all = new EntriesWithParents();
        foreach (var entry in entries)
        {
            all.Add(entry);
        }
        return all.SortedByPath();
    }

    /// <summary>
    /// Files, links and empty directories under <paramref name="root"/>, each with <paramref name="prefix"/>, a '/', and its
    /// path relative to the root as its container path; links to directories are not entered. An empty directory is kept:
    /// with a root-owned app directory, the app could not create it at run time. Anything else (a FIFO, a socket, a device)
    /// is an error, and is never opened; so is a name that is not UTF-8.
    /// </summary>
    /// <remarks>
    /// One lstat per entry says what it is and whether it is executable (<see cref="FileType.Of"/>); the directory
    /// listing gives only names. Asking <see cref="FileSystemInfo"/> cost two lstat calls and a geteuid per file, and
    /// most of the planning of a folder of 50,000 files. Each name comes from the listing already as its container path,
    /// the one string the plan keeps of it: a relative path of its own as well was 3 MB more garbage on a folder of 50,000
    /// files, in MSBuild's process, and a full path 8.4 MB. A file's content is found from its container path and the
    /// walk's <see cref="SourceFolder"/>, and lstat is given a path made in a reused buffer (<see cref="NativePath"/>).
    /// </remarks>
    private static IEnumerable<LayerEntry> Walk(string root, string prefix)
    {
        var status = FileType.NewStatusBuffer();
        var path = new NativePath();
        var names = new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = false };
        var relativeStart = prefix.Length > 0 ? prefix.Length + 1 : 0;
        var folder = new SourceFolder(root, relativeStart);
        // Directories to list, each with the container path its names go under (the prefix and '/', or "" for the root
        // without one; else ending in '/').
        var pending = new Stack<(string FullPath, string ContainerDirectory)>();
        pending.Push((root, prefix.Length > 0 ? prefix + "/" : ""));
        while (pending.Count > 0)
        {
            var (directory, containerDirectory) = pending.Pop();
            var isEmpty = true;
            foreach (var containerPath in new FileSystemEnumerable<string>(directory, (ref FileSystemEntry entry) => string.Concat(containerDirectory, entry.FileName), names))
            {
                isEmpty = false;
                var name = containerPath.AsSpan(containerDirectory.Length);
                path.Set(directory, name);
                var found = FileType.Of(path, status);
                // A name that is not UTF-8 comes back with U+FFFD for its bad bytes, and is not found under it.
                if (found is null && name.Contains('\uFFFD'))
                {
                    throw new FileNameNotUtf8Exception(containerPath[relativeStart..]);
                }
                if (name.StartsWith(".wh.", StringComparison.Ordinal))
                {
                    throw new WhiteoutNameException(containerPath[relativeStart..]);
                }
                switch (found ?? throw new FileNotFoundException($"'{containerPath[relativeStart..]}' was listed in the publish folder and is gone.", path.ToString()))
                {
                    case { Kind: PathKind.Link }:
                        yield return LayerEntry.Symlink(containerPath, new FileInfo(path.ToString()).LinkTarget!);
                        break;
                    case { Kind: PathKind.Directory }:
                        pending.Push((path.ToString(), containerPath + "/"));
                        break;
                    case { Kind: PathKind.Special, Special: var special }:
                        throw new SpecialFileException(containerPath[relativeStart..], special!);
                    case { AnyExecuteBit: var executable }:
                        // A hard link is read like any file: its content goes into the layer as a regular file.
                        yield return LayerEntry.File(containerPath, folder, executable && !IsNeverExecuted(name));
                        break;
                }
            }
            if (isEmpty && containerDirectory.Length > relativeStart)
            {
                yield return LayerEntry.Directory(containerDirectory.TrimEnd('/'));
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

    private static bool IsNeverExecuted(ReadOnlySpan<char> name) => NeverExecutedExtensionOf.Contains(Path.GetExtension(name));
}
