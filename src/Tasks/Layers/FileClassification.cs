namespace Containers.Build.Layers;

/// <summary>
/// Which layer each published file belongs to, keyed by its path relative to the publish folder ('/'
/// separated), as MSBuild's publish items describe it, and which files stay out of the image (assets for
/// other platforms). Files it does not know are the application's.
/// </summary>
public sealed class FileClassification
{
    public static FileClassification Empty { get; } = new(new Dictionary<string, LayerKind>(), new HashSet<string>());

    // Asked by span, with each path a slice of an entry's container path (LayerPlanner), so kept in a dictionary and a set
    // whose comparers can; a given collection of another kind is copied into one.
    private readonly Dictionary<string, LayerKind>.AlternateLookup<ReadOnlySpan<char>> _kinds;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _excluded;
    private readonly Dictionary<string, PackedFile>.AlternateLookup<ReadOnlySpan<char>> _packed =
        new Dictionary<string, PackedFile>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    public FileClassification(IReadOnlyDictionary<string, LayerKind> kinds, IReadOnlySet<string> excluded)
    {
        _kinds = (kinds as Dictionary<string, LayerKind> is { Comparer: var comparer } dictionary && comparer == StringComparer.Ordinal
            ? dictionary : new Dictionary<string, LayerKind>(kinds, StringComparer.Ordinal)).GetAlternateLookup<ReadOnlySpan<char>>();
        _excluded = (excluded as HashSet<string> is { Comparer: var setComparer } set && setComparer == StringComparer.Ordinal
            ? set : new HashSet<string>(excluded, StringComparer.Ordinal)).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public LayerKind KindOf(ReadOnlySpan<char> relativePath) => _kinds.TryGetValue(relativePath, out var kind) ? kind : LayerKind.Application;

    public bool IsExcluded(ReadOnlySpan<char> relativePath) => _excluded.Contains(relativePath);

    /// <summary>The package each package asset was unpacked from, by path, when its archive is at hand.</summary>
    public IReadOnlyDictionary<string, PackedFile> Packed
    {
        get => _packed.Dictionary;
        init => _packed = new Dictionary<string, PackedFile>(value, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
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
