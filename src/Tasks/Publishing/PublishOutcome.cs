using Containers.Build.Images;
using Containers.Build.Publishing.Destinations;

namespace Containers.Build.Publishing;

/// <summary>What a publish produced: the image (or one per platform and their index), what each destination got, and what the layer stage did.</summary>
public sealed record PublishOutcome(ImageSet Images, IReadOnlyList<DestinationResult> Destinations, LayerReport Layers);
