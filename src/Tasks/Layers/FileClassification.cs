namespace Containers.Build.Layers;

/// <summary>
/// Which layer each published file belongs to, keyed by its path relative to the publish folder ('/'
/// separated), as MSBuild's publish items describe it, and which files stay out of the image (assets for
/// other platforms). Files it does not know are the application's.
/// </summary>
public sealed class FileClassification
{
    public static FileClassification Empty { get; } = new(new Dictionary<string, LayerKind>(), new HashSet<string>());

    private readonly IReadOnlyDictionary<string, LayerKind> _kinds;
    private readonly IReadOnlySet<string> _excluded;

    public FileClassification(IReadOnlyDictionary<string, LayerKind> kinds, IReadOnlySet<string> excluded)
    {
        _kinds = kinds;
        _excluded = excluded;
    }

    public LayerKind KindOf(string relativePath) => _kinds.GetValueOrDefault(relativePath, LayerKind.Application);

    public bool IsExcluded(string relativePath) => _excluded.Contains(relativePath);

    /// <summary>The package each package asset was unpacked from, by path, when its archive is at hand.</summary>
    public IReadOnlyDictionary<string, PackedFile> Packed { get; init; } = new Dictionary<string, PackedFile>();

    public int ExcludedCount => _excluded.Count;

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
