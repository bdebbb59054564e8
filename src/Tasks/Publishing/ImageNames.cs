using Containers.Build.Model;

namespace Containers.Build.Publishing;

/// <summary>
/// The repository and tags an image is published under, and for a multi-platform image the extra tags of each
/// platform's own manifest (ContainerPublishPlatformTags: &lt;tag&gt;-&lt;rid&gt;), by platform.
/// </summary>
public sealed record ImageNames(string Repository, IReadOnlyList<string> Tags)
{
    public IReadOnlyDictionary<Platform, IReadOnlyList<string>> PlatformTags { get; init; } = new Dictionary<Platform, IReadOnlyList<string>>();

    /// <summary>repository:tag for each tag, as docker and podman name local images.</summary>
    public IEnumerable<string> Local => Tags.Select(t => $"{Repository}:{t}");

    public IReadOnlyList<string> PlatformTagsOf(Platform platform) => PlatformTags.GetValueOrDefault(platform) ?? [];
}
