using Containers.Build.Layers;
using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// A base image's layer held in a local file (a blob of an OCI layout): copied once into the content store,
/// streamed and hashed on the way, and kept there only when its bytes match the digest. No registry holds it,
/// so there is nothing to mount: a registry destination that lacks it gets it uploaded from the store.
/// </summary>
public sealed record FileBaseLayer(Descriptor Descriptor, string SourceFile, string Source, ContentStore Store) : ImageLayer(Descriptor)
{
    public override LayerOrigin Origin => LayerOrigin.Base;

    public override async Task<string> GetFileAsync(CancellationToken cancellationToken)
    {
        if (Store.Contains(Descriptor.Digest))
        {
            return Store.PathOf(Descriptor.Digest);
        }
        if (!File.Exists(SourceFile))
        {
            throw new BaseImageFileException(BaseImageFileFailure.Missing, Source,
                $"The base image {Source} lists layer {Descriptor.Digest}, but its blob {SourceFile} does not exist.");
        }
        var (path, size, actual) = await Store.CopyInVerifiedAsync(SourceFile, Descriptor, cancellationToken).ConfigureAwait(false);
        if (path is null)
        {
            throw new BaseImageFileException(BaseImageFileFailure.DigestMismatch, Source,
                $"The layer {Descriptor.Digest} of the base image {Source} ({SourceFile}) does not match its digest: it has {size} bytes with digest {actual}, the manifest says {Descriptor.Size} bytes.",
                digest: Descriptor.Digest);
        }
        return path;
    }
}
