using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Registry;

namespace Containers.Build.Images;

/// <summary>
/// An app layer the destination registry already holds, found there by the key of its inputs on a runner whose store
/// did not have it: nothing is tarred or uploaded. It can be mounted from its repository, and its bytes are fetched
/// only when a destination needs them (an archive, a layout, another registry), checked against the digest on the way
/// as a base layer's are; bytes that do not match are a corrupt layer, which the publisher writes itself instead.
/// </summary>
public sealed record KeyedRegistryLayer(Descriptor Descriptor, RegistryClient Registry, string Repository, ContentStore Store) : ImageLayer(Descriptor)
{
    public override LayerOrigin Origin => LayerOrigin.App;

    public override MountSource? MountSource => new(Registry.Registry, Repository);

    public override async Task<string> GetFileAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await new RegistryLayer(Descriptor, Registry, Repository, Store).GetFileAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BlobDigestMismatchException e)
        {
            throw new CorruptLayerException(Descriptor.Digest, $"the copy registry {Registry.Registry} holds under its input key does not match: {e.Message}");
        }
    }
}
