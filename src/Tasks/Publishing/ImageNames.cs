using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Publishing;

/// <summary>
/// The repository and tags an image is published under, and for a multi-platform image the extra tags of each
/// platform's own manifest (ContainerPublishPlatformTags: &lt;tag&gt;-&lt;rid&gt;), by platform.
/// </summary>
public sealed record ImageNames(string Repository, IReadOnlyList<string> Tags)
{
    public IReadOnlyDictionary<Platform, IReadOnlyList<string>> PlatformTags { get; init; } = new Dictionary<Platform, IReadOnlyList<string>>();

    /// <summary>
    /// The registry the image is pushed to (ContainerRegistry; the first, when it lists several), or null: then its full
    /// name is Docker Hub's. It names the image where one name is wanted: the SBOM's purls and an archive's full names.
    /// </summary>
    public RegistryHost? Registry { get; init; }

    /// <summary>repository:tag for each tag, as docker and podman name local images.</summary>
    public IEnumerable<string> Local => Tags.Select(t => $"{Repository}:{t}");

    /// <summary>
    /// The normalized reference for a tag, as containerd and docker save write it in io.containerd.image.name
    /// (and the SDK's archives): registry/repository:tag, or on Docker Hub docker.io/library/app:tag for a
    /// one-component name and docker.io/team/app:tag for a longer one. podman load names the image with it.
    /// </summary>
    public string FullName(string tag)
    {
        var registry = Registry is null || Registry.IsDockerHub ? "docker.io" : Registry.Value;
        var repository = registry == "docker.io" && !Repository.Contains('/') ? $"library/{Repository}" : Repository;
        return $"{registry}/{repository}:{tag}";
    }

    public IReadOnlyList<string> PlatformTagsOf(Platform platform) => PlatformTags.GetValueOrDefault(platform) ?? [];
}
