using Containers.Build.Images.Destinations;
using Containers.Build.Layers;

namespace Containers.Build.Images;

/// <summary>What a publish produced: the image, what each destination got, and which of its new layers came from the cache.</summary>
/// <param name="FilesLeftOut">Published files for other platforms that the image does not carry.</param>
public sealed record PublishOutcome(BuiltImage Image, IReadOnlyList<DestinationResult> Destinations, IReadOnlyList<CachedLayer> NewLayers, int FilesLeftOut);
