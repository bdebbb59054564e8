namespace Containers.Build.Images.Destinations;

/// <summary>The repository and tags an image is published under.</summary>
public sealed record ImageNames(string Repository, IReadOnlyList<string> Tags)
{
    /// <summary>repository:tag for each tag, as docker and podman name local images.</summary>
    public IEnumerable<string> Local => Tags.Select(t => $"{Repository}:{t}");
}
