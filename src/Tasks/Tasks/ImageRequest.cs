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
    Platform Platform,
    string PublishDirectory,
    string ContentStoreDirectory,
    ImageSettings Settings,
    FileClassification Classification,
    LayeringMode Layering,
    LayerOwner FileOwner,
    string? FactsPath = null)
{
    /// <summary>Mirrors to read the base image through (ContainerRegistryMirror, CONTAINERS_BUILD_REGISTRY_MIRRORS).</summary>
    public RegistryMirrors Mirrors { get; init; } = RegistryMirrors.None;

    /// <summary>The registry pushed to, when one of the targets is a registry.</summary>
    public RegistryHost? Registry => Targets.OfType<RegistryTarget>().FirstOrDefault()?.Registry;
}
