using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Registry;

namespace Containers.Build.Images;

/// <summary>
/// A layer that lives in a registry (a base image's): it can be mounted from there, and its bytes are fetched
/// once, when a destination first needs them, checked against the digest and kept in the content store.
/// </summary>
public sealed record RegistryLayer(Descriptor Descriptor, RegistryClient Registry, string Repository, ContentStore Store) : ImageLayer(Descriptor)
{
    public override LayerOrigin Origin => LayerOrigin.Base;

    public override MountSource? MountSource => new(Registry.Registry, Repository);

    public override async Task<string> GetFileAsync(CancellationToken cancellationToken)
    {
        if (Store.Contains(Descriptor.Digest))
        {
            return Store.PathOf(Descriptor.Digest);
        }
        await using var blob = Store.NewBlob(useAsync: true);
        await Registry.DownloadBlobAsync(Repository, Descriptor, blob.Stream, cancellationToken).ConfigureAwait(false);
        return Store.Commit(blob, Descriptor.Digest);
    }
}
