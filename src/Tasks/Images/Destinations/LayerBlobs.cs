using Containers.Build.Layers;
using Containers.Build.Registry;

namespace Containers.Build.Images.Destinations;

/// <summary>
/// The bytes of every layer of an image as local files, for destinations that write files: the image's own
/// layers are in the store already; base layers are downloaded once (verified by digest) and kept there.
/// </summary>
public sealed class LayerBlobs(RegistryClient baseRegistry, ContentStore store)
{
    public async Task<string> PathOfAsync(ImageLayer layer, CancellationToken cancellationToken)
    {
        if (layer.Local is { BlobPath: { } path })
        {
            return path;
        }
        return await baseRegistry.DownloadBlobAsync(layer.BaseRepository!, layer.Descriptor, store, cancellationToken).ConfigureAwait(false);
    }
}
