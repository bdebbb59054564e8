using Containers.Build.Images.Destinations;
using Containers.Build.Layers;

namespace Containers.Build.Images;

/// <summary>What a publish produced: the image (or one per platform and their index), what each destination got, and which of its new layers came from the cache.</summary>
/// <param name="NewLayers">Every distinct layer this publish added, over all platforms.</param>
/// <param name="FilesLeftOut">Published files for other platforms that no image carries.</param>
public sealed record PublishOutcome(ImageSet Images, IReadOnlyList<DestinationResult> Destinations, IReadOnlyList<CachedLayer> NewLayers, int FilesLeftOut);
