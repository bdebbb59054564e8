using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Tasks;

/// <summary>Everything one publish needs, validated: produced by <see cref="ImageRequestParser"/> before any network call.</summary>
public sealed record ImageRequest(
    ImageReference BaseImage,
    RegistryHost Registry,
    string Repository,
    IReadOnlyList<string> Tags,
    Platform Platform,
    string PublishDirectory,
    string ContentStoreDirectory,
    ImageSettings Settings,
    FileClassification Classification,
    LayeringMode Layering,
    LayerOwner FileOwner);
