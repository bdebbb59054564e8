namespace Containers.Build.Layers;

/// <summary>
/// A layer's entries as a plan gathers them, each parent directory added as an explicit entry the first time a path
/// under it is: the plan's tar then lists every directory it extracts into, whatever order the files came in.
/// </summary>
/// <remarks>
/// The entries' paths are unique (a walk of a folder lists each once), so they are kept in a list and only the
/// directories in a set: a dictionary of every entry by path, grown by doubling, had been 3 MB of outgrown tables on a
/// folder of 50,000 files, in MSBuild's process. A parent is looked up as a slice of the path, and a string made only
/// for a directory not yet there.
/// </remarks>
internal sealed class EntriesWithParents
{
    private readonly List<LayerEntry> _entries = [];
    // Each directory's place in the list.
    private readonly Dictionary<string, int> _directories = new(StringComparer.Ordinal);

    /// <summary>
    /// Adds <paramref name="entry"/> after any parent directory not yet added. A directory already there is replaced: one
    /// given (with its own owner, say) takes the place of the one made as a parent.
    /// </summary>
    public void Add(LayerEntry entry)
    {
        AddParentsOf(entry.ContainerPath);
        if (entry.Kind != LayerEntryKind.Directory)
        {
            _entries.Add(entry);
        }
        else if (_directories.TryGetValue(entry.ContainerPath, out var index))
        {
            _entries[index] = entry;
        }
        else
        {
            _directories.Add(entry.ContainerPath, _entries.Count);
            _entries.Add(entry);
        }
    }

    /// <summary>The entries by <see cref="LayerEntry.ContainerPath"/>, ordinally.</summary>
    public LayerEntry[] SortedByPath()
    {
        var sorted = _entries.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.ContainerPath, b.ContainerPath));
        return sorted;
    }

    private void AddParentsOf(string containerPath)
    {
        var directories = _directories.GetAlternateLookup<ReadOnlySpan<char>>();
        var slash = containerPath.LastIndexOf('/');
        while (slash > 0 && !directories.ContainsKey(containerPath.AsSpan(0, slash)))
        {
            var path = containerPath[..slash];
            _directories.Add(path, _entries.Count);
            _entries.Add(LayerEntry.Directory(path));
            slash = path.LastIndexOf('/');
        }
    }
}
