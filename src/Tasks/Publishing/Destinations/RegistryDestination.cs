using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;

namespace Containers.Build.Publishing.Destinations;

/// <summary>
/// A registry, over the OCI distribution API (ContainerRegistry). Each blob is checked first (HEAD, unless this
/// publish has already seen it there) and sent only when missing; a layer that lives in another repository of the
/// same registry is mounted from there; the config and the attachments' blobs go alongside the layers; the manifest is
/// put under every tag last, so a tag never names an image whose blobs are missing, and the attachments' manifests
/// after it (<see cref="AttachmentPush"/>). With no tags
/// (ContainerPublishUntagged) it is put under its digest alone, for a later join to name.
/// </summary>
public sealed record RegistryDestination(RegistryHost Registry) : IImageDestination
{
    private const int MaxParallelTransfers = 3;

    public string Description => $"the registry {Registry}";

    public RegistryHost? PushesTo => Registry;

    public async Task<DestinationResult> SendAsync(ImageSet images, ImageNames names, DestinationContext context, CancellationToken cancellationToken)
    {
        var target = context.Clients.Get(Registry, RegistryAccess.Push);
        var repository = names.Repository;
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The attachments' blobs need nothing of the image in the registry: they go alongside the layers, and only their
        // manifests wait for the image to be complete and tagged.
        var attachmentBlobs = images.Attachments.Count > 0 ? AttachmentPush.SendBlobsAsync(target, repository, images.Attachments, sending.Token) : null;
        BlobTransfer[] transfers;
        BlobTransfer[] configs;
        var pushedPlatformTags = new List<string>();
        var tagsUpdated = 0;
        try
        {
            // The layers and the configs in one batch: no blob waits for another. The app's own layers start first, the
            // largest first: they are the ones likely to be sent, where the base's are usually there, or mounted.
            var layers = images.DistinctLayers.ToArray();
            var configImages = images.Images.DistinctBy(i => i.Config.Digest).ToArray();
            var blobs = new BlobTransfer[layers.Length + configImages.Length];
            var order = Enumerable.Range(0, layers.Length)
                .OrderBy(i => layers[i].Origin == LayerOrigin.App ? 0 : 1).ThenByDescending(i => layers[i].Descriptor.Size)
                .Concat(Enumerable.Range(layers.Length, configImages.Length));
            await Parallel.ForEachAsync(
                order,
                new ParallelOptions { MaxDegreeOfParallelism = MaxParallelTransfers, CancellationToken = sending.Token },
                async (i, ct) => blobs[i] = i < layers.Length
                    ? await PushLayerAsync(target, layers[i], repository, ct).ConfigureAwait(false)
                    : await PushConfigAsync(target, configImages[i - layers.Length], repository, ct).ConfigureAwait(false)).ConfigureAwait(false);
            transfers = blobs[..layers.Length];
            configs = blobs[layers.Length..];

            // A multi-platform image: every platform's manifest by digest before the index that names them.
            if (images.Index is not null)
            {
                foreach (var image in images.Images)
                {
                    await PutUnlessNamedAsync(target, repository, image.Digest.ToString(), image.Digest, image.Manifest.Bytes, image.Manifest.MediaType, sending.Token).ConfigureAwait(false);
                    foreach (var tag in names.PlatformTagsOf(image.Platform))
                    {
                        await PutUnlessNamedAsync(target, repository, tag, image.Digest, image.Manifest.Bytes, image.Manifest.MediaType, sending.Token).ConfigureAwait(false);
                        pushedPlatformTags.Add(tag);
                    }
                }
            }

            // By digest only: nothing names the image but its digest, so no tag another publish relies on moves.
            if (names.Tags.Count == 0)
            {
                await PutUnlessNamedAsync(target, repository, images.Digest.ToString(), images.Digest, images.Bytes, images.MediaType, sending.Token).ConfigureAwait(false);
            }
            foreach (var tag in names.Tags)
            {
                if (await PutUnlessNamedAsync(target, repository, tag, images.Digest, images.Bytes, images.MediaType, sending.Token).ConfigureAwait(false))
                {
                    tagsUpdated++;
                }
            }
        }
        catch
        {
            // The image failed: nothing of its attachments is left going.
            await sending.CancelAsync().ConfigureAwait(false);
            await SettledTask.Of(attachmentBlobs ?? Task.CompletedTask).ConfigureAwait(false);
            throw;
        }
        // Only once the image is complete and tagged: a registry that refuses a referrer costs a warning, not the image.
        var attached = attachmentBlobs is null ? 0 : await (await attachmentBlobs.ConfigureAwait(false)).CompleteAsync(context.Warn, cancellationToken).ConfigureAwait(false);

        var push = new PushResult(Registry, repository, names.Tags, images.Digest, transfers, configs, tagsUpdated)
        {
            IsIndex = images.Index is not null,
            PlatformCount = images.Images.Count,
            PlatformTags = pushedPlatformTags,
            Attached = attached,
        };
        return new DestinationResult(DestinationKinds.Registry, push.Names.ToArray(), null, PushSummary.Format(push, context.Layers), images) { Registry = Registry };
    }

    /// <summary>A blob held in memory (a config, an attachment's document): checked first, sent only when missing.</summary>
    internal static async Task<BlobTransferKind> PushBytesAsync(RegistryClient target, string repository, Descriptor descriptor, byte[] content, CancellationToken cancellationToken)
    {
        if (await target.BlobExistsAsync(repository, descriptor.Digest, cancellationToken).ConfigureAwait(false))
        {
            return BlobTransferKind.AlreadyPresent;
        }
        await target.UploadBlobAsync(repository, descriptor, () => new MemoryStream(content, writable: false), cancellationToken).ConfigureAwait(false);
        return BlobTransferKind.Uploaded;
    }

    /// <summary>PUTs a manifest under <paramref name="reference"/> unless it already names it (a republish with no change); true when it PUT.</summary>
    private static async Task<bool> PutUnlessNamedAsync(RegistryClient target, string repository, string reference, Digest digest, byte[] bytes, string mediaType, CancellationToken cancellationToken)
    {
        if (await target.GetManifestDigestAsync(repository, reference, cancellationToken).ConfigureAwait(false) == digest)
        {
            return false;
        }
        await target.PutManifestAsync(repository, reference, bytes, mediaType, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task<BlobTransfer> PushConfigAsync(RegistryClient target, BuiltImage image, string repository, CancellationToken cancellationToken)
        => new(image.Manifest.Config, await PushBytesAsync(target, repository, image.Manifest.Config, image.Config.Bytes, cancellationToken).ConfigureAwait(false), null);

    /// <summary>One layer into <paramref name="repository"/>: nothing when it is there, a mount when the registry has it in another repository, else its bytes (the rebase sends base layers this way too).</summary>
    internal static async Task<BlobTransfer> PushLayerAsync(RegistryClient target, ImageLayer layer, string repository, CancellationToken cancellationToken)
    {
        var descriptor = layer.Descriptor;
        if (await target.BlobExistsAsync(repository, descriptor.Digest, cancellationToken).ConfigureAwait(false))
        {
            return new BlobTransfer(descriptor, BlobTransferKind.AlreadyPresent, layer.Origin);
        }
        if (layer.MountSource is { } source && source.Registry == target.Registry
            && await target.TryMountBlobAsync(repository, descriptor.Digest, source.Repository, cancellationToken).ConfigureAwait(false))
        {
            return new BlobTransfer(descriptor, BlobTransferKind.Mounted, layer.Origin);
        }
        // The registry cannot get it by itself: the layer gives its bytes (a base layer fetches them once, verified),
        // and the registry checks them against the digest.
        var file = await layer.GetFileAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await target.UploadBlobAsync(
                repository,
                descriptor,
                () => new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, FileBuffer.Size, useAsync: true),
                cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e.Errors.Any(error => error.Code == "DIGEST_INVALID"))
        {
            // The local copy is not what its digest names: drop it so that it is made again.
            ImageLayer.DropCopy(file);
            throw new CorruptLayerException(descriptor.Digest, $"registry {target.Registry} found it does not match: {e.Message}");
        }
        return new BlobTransfer(descriptor, BlobTransferKind.Uploaded, layer.Origin);
    }
}
