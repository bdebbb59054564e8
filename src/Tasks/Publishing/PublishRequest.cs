using System.IO.Compression;
using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Publishing.Destinations;
using Containers.Build.References;
using Containers.Build.Registry;

namespace Containers.Build.Publishing;

/// <summary>Everything one publish needs, validated before any network call (the task's settings parser makes it).</summary>
/// <param name="Destinations">Where the image goes, in order; at least one.</param>
/// <param name="Names">The repository and tags (and per-platform tags) it is published under.</param>
/// <param name="Platforms">One per platform; several make a multi-platform image under an index.</param>
public sealed record PublishRequest(
    BaseImageLocation BaseImage,
    IReadOnlyList<IImageDestination> Destinations,
    ImageNames Names,
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

    /// <summary>ContainerFile and ContainerDirectory items, for a layer of their own below the app's.</summary>
    public ExtraFiles ExtraFiles { get; init; } = ExtraFiles.None;

    /// <summary>ContainerLayer items: layers of other images, above the base and below the app.</summary>
    public IReadOnlyList<LayerImport> LayerImports { get; init; } = [];

    /// <summary>ContainerLayerCompression: gzip, or zstd (the settings then make the image OCI).</summary>
    public LayerCompression LayerCompression { get; init; } = LayerCompression.Gzip;

    /// <summary>
    /// ContainerLayerCompressionLevel: the level of every layer this publish writes (deflate's, or zstd's as
    /// <see cref="ZstdLayerStream.LevelOf"/> maps it); null when not set, each layer's by its kind (<see cref="LayerOptions.For"/>).
    /// </summary>
    public CompressionLevel? LayerCompressionLevel { get; init; }

    /// <summary>ContainerNativeDependencyCheck: whether native files whose libraries the image lacks warn, fail, or are not looked for.</summary>
    public NativeDependencyCheckMode NativeDependencyCheck { get; init; }

    /// <summary>The SBOM and provenance attached to each image (ContainerSbom, ContainerProvenance); none by default here, the task asks for them.</summary>
    public SupplyChainSettings SupplyChain { get; init; } = SupplyChainSettings.None;

    /// <summary>
    /// ContainerRegistryLayerCache: whether an app layer the local cache misses is looked for, by its input key, in the
    /// image the first tag names in the first destination registry (a fresh runner's empty obj/).
    /// </summary>
    public bool RegistryLayerCache { get; init; } = true;

    /// <summary>
    /// ContainersBuildSharedCache: the machine's folder where base layers' file lists are kept for every project (so a
    /// clean obj/, another app on the same base or a solution's next project lists no base again); null for none.
    /// </summary>
    public string? SharedCacheDirectory { get; init; }

    /// <summary>Published files for other platforms that no image carries.</summary>
    public int FilesLeftOut => Platforms.Sum(p => p.Classification.ExcludedCount);

    /// <summary>The registries pushed to: their clients also read the base there, so base layers can be mounted.</summary>
    public IReadOnlySet<RegistryHost> PushRegistries => Destinations.Select(d => d.PushesTo).OfType<RegistryHost>().ToHashSet();
}
