using Containers.Build.Model;
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

    /// <param name="platformTags">For a multi-platform image, extra tags for each platform's manifest (by its digest); empty otherwise.</param>
    public async Task<PushResult> PushAsync(ImageSet images, string repository, IReadOnlyList<string> tags, IReadOnlyDictionary<Digest, IReadOnlyList<string>> platformTags, CancellationToken cancellationToken)
    {
        var layers = images.DistinctLayers.ToArray();
        var transfers = new BlobTransfer[layers.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, layers.Length),
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelTransfers, CancellationToken = cancellationToken },
            async (i, ct) => transfers[i] = await PushLayerAsync(layers[i], repository, ct).ConfigureAwait(false)).ConfigureAwait(false);

        var configs = new List<BlobTransfer>();
        foreach (var image in images.Images.DistinctBy(i => i.Config.Digest))
        {
            configs.Add(await PushConfigAsync(image, repository, cancellationToken).ConfigureAwait(false));
        }

        // A multi-platform image: every platform's manifest by digest before the index that names them.
        var pushedPlatformTags = new List<string>();
        if (images.Index is not null)
        {
            foreach (var image in images.Images)
            {
                await PutUnlessNamedAsync(repository, image.Digest.ToString(), image.Digest, image.Manifest.Bytes, image.Manifest.MediaType, cancellationToken).ConfigureAwait(false);
                foreach (var tag in platformTags.GetValueOrDefault(image.Digest) ?? [])
                {
                    await PutUnlessNamedAsync(repository, tag, image.Digest, image.Manifest.Bytes, image.Manifest.MediaType, cancellationToken).ConfigureAwait(false);
                    pushedPlatformTags.Add(tag);
                }
            }
        }

        var tagsUpdated = 0;
        foreach (var tag in tags)
        {
            if (await PutUnlessNamedAsync(repository, tag, images.Digest, images.Bytes, images.MediaType, cancellationToken).ConfigureAwait(false))
            {
                tagsUpdated++;
            }
        }
        return new PushResult(target.Registry, repository, tags, images.Digest, transfers, configs, tagsUpdated)
        {
            IsIndex = images.Index is not null,
            PlatformCount = images.Images.Count,
            PlatformTags = pushedPlatformTags,
        };
    }

    /// <summary>PUTs a manifest under <paramref name="reference"/> unless it already names it (a republish with no change); true when it PUT.</summary>
    private async Task<bool> PutUnlessNamedAsync(string repository, string reference, Digest digest, byte[] bytes, string mediaType, CancellationToken cancellationToken)
    {
        if (await target.GetManifestDigestAsync(repository, reference, cancellationToken).ConfigureAwait(false) == digest)
        {
            return false;
        }
        await target.PutManifestAsync(repository, reference, bytes, mediaType, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<BlobTransfer> PushConfigAsync(BuiltImage image, string repository, CancellationToken cancellationToken)
    {
        var descriptor = image.Manifest.Config;
        if (await target.BlobExistsAsync(repository, descriptor.Digest, cancellationToken).ConfigureAwait(false))
        {
            return new BlobTransfer(descriptor, BlobTransferKind.AlreadyPresent, false);
        }
        await target.UploadBlobAsync(repository, descriptor, () => new MemoryStream(image.Config.Bytes, writable: false), cancellationToken).ConfigureAwait(false);
        return new BlobTransfer(descriptor, BlobTransferKind.Uploaded, false);
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
