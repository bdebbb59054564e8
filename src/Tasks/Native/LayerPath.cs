namespace Containers.Build.Native;

/// <summary>
/// One entry of a layer's tar: its path (relative to the image root, without a leading "./" or "/" or a trailing "/"),
/// what it is, and for a link what it points at (a symlink's target as written in the tar; a hard link's, a layer path).
/// </summary>
public sealed record LayerPath(string Path, LayerPathKind Kind, string? LinkTarget = null)
{
    /// <summary>For a loader configuration file (<see cref="LoaderConfiguration.IsConfigurationPath"/>), its text; else null.</summary>
    public string? Text { get; init; }
}
