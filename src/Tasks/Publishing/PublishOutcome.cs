using Containers.Build.Images;
using Containers.Build.Publishing.Destinations;

namespace Containers.Build.Publishing;

/// <summary>What a publish produced: the image (or one per platform and their index), what each destination got, and what the layer stage did.</summary>
public sealed record PublishOutcome(ImageSet Images, IReadOnlyList<DestinationResult> Destinations, LayerReport Layers)
{
    /// <summary>The registries that did not take the image, each with why, when ContainerRegistry lists several (the others are in <see cref="Destinations"/>).</summary>
    public IReadOnlyList<RegistryPushFailure> FailedRegistries { get; init; } = [];

    /// <summary>Where the time went, stage by stage (<see cref="StageClock"/>), for a low-importance log line.</summary>
    public string StageTimes { get; init; } = "";
}
