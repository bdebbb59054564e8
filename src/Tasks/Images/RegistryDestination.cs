using Containers.Build.Layers;
using Containers.Build.Registry;

namespace Containers.Build.Images;

/// <summary>
/// Pushes a built image to a registry: each blob is checked first (HEAD) and sent only when missing, base
/// layers are mounted from the base's repository when it lives in the same registry, and the manifest is
/// put under every tag last, so a tag never names an image whose blobs are missing.
/// </summary>
public sealed class RegistryDestination(RegistryClient target, RegistryClient baseRegistry, ContentStore store)
{
    private const int MaxParallelTransfers = 3;

    public async Task<PushResult> PushAsync(BuiltImage image, string repository, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var transfers = new BlobTransfer[image.Layers.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, image.Layers.Count),
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelTransfers, CancellationToken = cancellationToken },
            async (i, ct) => transfers[i] = await PushLayerAsync(image.Layers[i], repository, ct).ConfigureAwait(false)).ConfigureAwait(false);

        var configDescriptor = image.Manifest.Config;
        BlobTransfer configTransfer;
        if (await target.BlobExistsAsync(repository, configDescriptor.Digest, cancellationToken).ConfigureAwait(false))
        {
            configTransfer = new BlobTransfer(configDescriptor, BlobTransferKind.AlreadyPresent, false);
        }
        else
        {
            await target.UploadBlobAsync(repository, configDescriptor, () => new MemoryStream(image.Config.Bytes, writable: false), cancellationToken).ConfigureAwait(false);
            configTransfer = new BlobTransfer(configDescriptor, BlobTransferKind.Uploaded, false);
        }

        var tagsUpdated = 0;
        foreach (var tag in tags)
        {
            // A tag that already names this exact manifest needs no PUT (a republish with no change).
            if (await target.GetManifestDigestAsync(repository, tag, cancellationToken).ConfigureAwait(false) == image.Digest)
            {
                continue;
            }
            await target.PutManifestAsync(repository, tag, image.Manifest.Bytes, image.Manifest.MediaType, cancellationToken).ConfigureAwait(false);
            tagsUpdated++;
        }
        return new PushResult(target.Registry, repository, tags, image.Digest, transfers, configTransfer, tagsUpdated);
    }

    private async Task<BlobTransfer> PushLayerAsync(ImageLayer layer, string repository, CancellationToken cancellationToken)
    {
        var descriptor = layer.Descriptor;
        if (await target.BlobExistsAsync(repository, descriptor.Digest, cancellationToken).ConfigureAwait(false))
        {
            return new BlobTransfer(descriptor, BlobTransferKind.AlreadyPresent, layer.IsFromBase);
        }

        string blobPath;
        if (layer.Local is { BlobPath: { } localPath })
        {
            blobPath = localPath;
        }
        else
        {
            if (baseRegistry.Registry == target.Registry
                && await target.TryMountBlobAsync(repository, descriptor.Digest, layer.BaseRepository!, cancellationToken).ConfigureAwait(false))
            {
                return new BlobTransfer(descriptor, BlobTransferKind.Mounted, true);
            }
            // The target cannot get it by itself: fetch it once (verified) into the store, then upload.
            blobPath = await baseRegistry.DownloadBlobAsync(layer.BaseRepository!, descriptor, store, cancellationToken).ConfigureAwait(false);
        }

        await target.UploadBlobAsync(
            repository,
            descriptor,
            () => new FileStream(blobPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true),
            cancellationToken).ConfigureAwait(false);
        return new BlobTransfer(descriptor, BlobTransferKind.Uploaded, layer.IsFromBase);
    }
}
