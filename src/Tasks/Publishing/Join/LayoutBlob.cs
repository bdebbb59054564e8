using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;

namespace Containers.Build.Publishing.Join;

/// <summary>
/// A blob of an OCI layout on its way to a registry: copied once into the content store, hashed on the way, and kept
/// there only when it matches its digest. The registry gets the store's copy, so a copy it refuses is dropped from the
/// store, never from the user's layout.
/// </summary>
/// <param name="Source">The join entry that named the layout, for messages.</param>
internal sealed record LayoutBlob(Descriptor Descriptor, string SourceFile, string Source, ContentStore Store) : ImageLayer(Descriptor)
{
    /// <summary>Another image's blob, as a ContainerLayer's is.</summary>
    public override LayerOrigin Origin => LayerOrigin.Imported;

    public override async Task<string> GetFileAsync(CancellationToken cancellationToken)
    {
        if (Store.Contains(Descriptor.Digest))
        {
            return Store.PathOf(Descriptor.Digest);
        }
        if (!File.Exists(SourceFile))
        {
            throw new JoinImageNotFoundException(Source, $"{Source} lists the blob {Descriptor.Digest}, but {SourceFile} does not exist.");
        }
        var (path, size, actual) = await Store.CopyInVerifiedAsync(SourceFile, Descriptor, cancellationToken).ConfigureAwait(false);
        if (path is null)
        {
            throw new JoinImageUnreadableException(Source,
                $"The blob {SourceFile} of {Source} does not match its descriptor: it has {size} bytes with digest {actual}, the manifest says {Descriptor.Size} bytes with digest {Descriptor.Digest}.");
        }
        return path;
    }
}
