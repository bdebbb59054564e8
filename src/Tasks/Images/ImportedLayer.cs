using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// A layer taken from another image (a ContainerLayer item), by digest: its bytes, and where a registry could
/// mount it from, are those of the layer it came from (never recompressed); <see cref="DiffId"/> is that image's
/// for it, and <see cref="From"/> names the image by digest for the history.
/// </summary>
public sealed record ImportedLayer(ImageLayer Source, Digest DiffId, string From) : ImageLayer(Source.Descriptor)
{
    public override LayerOrigin Origin => LayerOrigin.Imported;

    public override MountSource? MountSource => Source.MountSource;

    public override Task<string> GetFileAsync(CancellationToken cancellationToken) => Source.GetFileAsync(cancellationToken);
}
