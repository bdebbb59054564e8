using Containers.Build.Images;
using Containers.Build.Images.Destinations;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;

namespace Containers.Build.Tasks;

/// <summary>Everything one publish needs, validated: produced by <see cref="ImageRequestParser"/> before any network call.</summary>
public sealed record ImageRequest(
    ImageReference BaseImage,
    IReadOnlyList<ImageTarget> Targets,
    string Repository,
    IReadOnlyList<string> Tags,
    IReadOnlyList<PlatformPublish> Platforms,
    string ContentStoreDirectory,
    ImageSettings Settings,
    LayeringMode Layering,
    LayerOwner FileOwner,
    string? FactsPath = null)
{
    /// <summary>Mirrors to read the base image through (ContainerRegistryMirror, CONTAINERS_BUILD_REGISTRY_MIRRORS).</summary>
    public RegistryMirrors Mirrors { get; init; } = RegistryMirrors.None;

    /// <summary>
    /// Whether the tags name an image index of every platform's manifest (ContainerRuntimeIdentifiers), rather
    /// than the single image's manifest.
    /// </summary>
    public bool IsMultiPlatform { get; init; }

    /// <summary>Also tag each platform's manifest &lt;tag&gt;-&lt;rid&gt; (ContainerPublishPlatformTags); multi-platform only.</summary>
    public bool PlatformTags { get; init; }

    /// <summary>Published files for other platforms that no image carries.</summary>
    public int FilesLeftOut => Platforms.Sum(p => p.Classification.ExcludedCount);

    /// <summary>The registry pushed to, when one of the targets is a registry.</summary>
    public RegistryHost? Registry => Targets.OfType<RegistryTarget>().FirstOrDefault()?.Registry;
}
