using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// A layer taken from another image (a ContainerLayer item), by digest: its bytes, and where a registry could
/// mount it from, are those of the layer it came from (never recompressed); <see cref="DiffId"/> is that image's
/// for it, and <see cref="From"/> names the image by digest for the history.
/// </summary>
/// <param name="Import">The item it came from: a failure to get its bytes is said of the item, not of the base image.</param>
public sealed record ImportedLayer(ImageLayer Source, Digest DiffId, LayerImport Import, string From) : ImageLayer(Source.Descriptor)
{
    public override LayerOrigin Origin => LayerOrigin.Imported;

    public override MountSource? MountSource => Source.MountSource;

    public override async Task<string> GetFileAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Source.GetFileAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not LayerImageException)
        {
            throw new LayerImageException(Import, e);
        }
    }
}
