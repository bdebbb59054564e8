namespace Containers.Build.Layers;

/// <summary>
/// Which layer each published file belongs to, keyed by its path relative to the publish folder ('/'
/// separated), as MSBuild's publish items describe it, and which files stay out of the image (assets for
/// other platforms). Files it does not know are the application's.
/// </summary>
public sealed class FileClassification
{
    public static FileClassification Empty { get; } = new(new Dictionary<string, LayerKind>(), new HashSet<string>());

    // Asked by span, with each path a slice of an entry's container path (LayerPlanner): the given dictionary or set itself
    // when its comparer can be asked so (the classifier's are ordinal), else an ordinal copy.
    private readonly Dictionary<string, LayerKind>.AlternateLookup<ReadOnlySpan<char>> _kinds;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _excluded;
    private readonly Dictionary<string, PackedFile>.AlternateLookup<ReadOnlySpan<char>> _packed = BySpan(new Dictionary<string, PackedFile>());

    public FileClassification(IReadOnlyDictionary<string, LayerKind> kinds, IReadOnlySet<string> excluded)
    {
        _kinds = BySpan(kinds);
        _excluded = excluded is HashSet<string> set && set.TryGetAlternateLookup<ReadOnlySpan<char>>(out var lookup)
            ? lookup : new HashSet<string>(excluded, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private static Dictionary<string, T>.AlternateLookup<ReadOnlySpan<char>> BySpan<T>(IReadOnlyDictionary<string, T> source)
        => source is Dictionary<string, T> dictionary && dictionary.TryGetAlternateLookup<ReadOnlySpan<char>>(out var lookup)
            ? lookup : new Dictionary<string, T>(source, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    public LayerKind KindOf(ReadOnlySpan<char> relativePath) => _kinds.TryGetValue(relativePath, out var kind) ? kind : LayerKind.Application;

    public bool IsExcluded(ReadOnlySpan<char> relativePath) => _excluded.Contains(relativePath);

    /// <summary>The package each package asset was unpacked from, by path, when its archive is at hand.</summary>
    public IReadOnlyDictionary<string, PackedFile> Packed
    {
        get => _packed.Dictionary;
        init => _packed = BySpan(value);
    }

    /// <summary>The package the file at <paramref name="relativePath"/> was unpacked from, or null.</summary>
    public PackedFile? PackedFileAt(ReadOnlySpan<char> relativePath) => _packed.TryGetValue(relativePath, out var packed) ? packed : null;

    public int ExcludedCount => _excluded.Set.Count;

    /// <summary>Normalizes a publish item's RelativePath or TargetPath (either separator, no leading './').</summary>
    public static string NormalizePath(string path)
    {
        var normalized = path.Replace('\\', '/');
        while (normalized.StartsWith("./", StringComparison.Ordinal))
        {
            normalized = normalized[2..];
        }
        return normalized.TrimStart('/');
    }
}
