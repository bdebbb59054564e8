using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;

namespace Containers.Build.Publishing.Destinations;

/// <summary>
/// A registry, over the OCI distribution API (ContainerRegistry). Each blob is checked first (HEAD, unless this
/// publish has already seen it there) and sent only when missing; a layer that lives in another repository of the
/// same registry is mounted from there; the manifest is put under every tag last, so a tag never names an image whose blobs are missing. With no tags
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
        var layers = images.DistinctLayers.ToArray();
        var transfers = new BlobTransfer[layers.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, layers.Length),
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelTransfers, CancellationToken = cancellationToken },
            async (i, ct) => transfers[i] = await PushLayerAsync(target, layers[i], repository, ct).ConfigureAwait(false)).ConfigureAwait(false);

        var configs = new List<BlobTransfer>();
        foreach (var image in images.Images.DistinctBy(i => i.Config.Digest))
        {
            configs.Add(await PushConfigAsync(target, image, repository, cancellationToken).ConfigureAwait(false));
        }

        // A multi-platform image: every platform's manifest by digest before the index that names them.
        var pushedPlatformTags = new List<string>();
        if (images.Index is not null)
        {
            foreach (var image in images.Images)
            {
                await PutUnlessNamedAsync(target, repository, image.Digest.ToString(), image.Digest, image.Manifest.Bytes, image.Manifest.MediaType, cancellationToken).ConfigureAwait(false);
                foreach (var tag in names.PlatformTagsOf(image.Platform))
                {
                    await PutUnlessNamedAsync(target, repository, tag, image.Digest, image.Manifest.Bytes, image.Manifest.MediaType, cancellationToken).ConfigureAwait(false);
                    pushedPlatformTags.Add(tag);
                }
            }
        }

        // By digest only: nothing names the image but its digest, so no tag another publish relies on moves.
        if (names.Tags.Count == 0)
        {
            await PutUnlessNamedAsync(target, repository, images.Digest.ToString(), images.Digest, images.Bytes, images.MediaType, cancellationToken).ConfigureAwait(false);
        }
        var tagsUpdated = 0;
        foreach (var tag in names.Tags)
        {
            if (await PutUnlessNamedAsync(target, repository, tag, images.Digest, images.Bytes, images.MediaType, cancellationToken).ConfigureAwait(false))
            {
                tagsUpdated++;
            }
        }
        // Only once the image is complete and tagged: a registry that refuses a referrer costs a warning, not the image.
        var attached = await PushAttachmentsAsync(target, repository, images.Attachments, context.Warn, cancellationToken).ConfigureAwait(false);

        var push = new PushResult(Registry, repository, names.Tags, images.Digest, transfers, configs, tagsUpdated)
        {
            IsIndex = images.Index is not null,
            PlatformCount = images.Images.Count,
            PlatformTags = pushedPlatformTags,
            Attached = attached,
        };
        return new DestinationResult(DestinationKinds.Registry, push.Names.ToArray(), null, PushSummary.Format(push, context.Layers), images) { Registry = Registry };
    }

    /// <summary>
    /// Each attachment as an OCI artifact whose subject is its image's manifest: the empty config and the document as
    /// blobs, then the artifact manifest by digest (put again if it is there already: a put is idempotent, and its answer
    /// says whether the registry lists it by itself), and — on a registry without the referrers API — every artifact of a
    /// subject added at once to the index under the referrers tag <c>sha256-&lt;hex&gt;</c>, keeping what other tools put
    /// there: one read and one write of the tag for all of them, where each took its own. Unchanged attachments (a
    /// republish) send nothing: when the subject's referrers list an attachment and its manifest is there, that is all
    /// that is asked (the referrers once per subject, then a GET per attachment).
    /// </summary>
    /// <returns>The attachments the registry holds.</returns>
    internal static async Task<int> PushAttachmentsAsync(RegistryClient target, string repository, IReadOnlyList<ImageAttachment> attachments, Action<PublishWarning>? warn, CancellationToken cancellationToken)
    {
        var attached = 0;
        var referrersOf = new Dictionary<Digest, byte[]?>();
        var toTag = new List<ImageAttachment>();
        foreach (var attachment in attachments)
        {
            var artifact = attachment.Manifest;
            try
            {
                var subject = attachment.Subject.Digest;
                if (!referrersOf.TryGetValue(subject, out var referrers))
                {
                    referrers = await target.GetReferrersAsync(repository, subject, cancellationToken).ConfigureAwait(false);
                    referrersOf[subject] = referrers;
                }
                // Listed is not enough where a client keeps the list (the referrers tag): the manifest must be there too,
                // and with it its blobs.
                if (ReferrersIndex.Lists(referrers, artifact.Digest)
                    && await target.GetManifestDigestAsync(repository, artifact.Digest.ToString(), cancellationToken).ConfigureAwait(false) == artifact.Digest)
                {
                    attached++;
                    continue;
                }
                await PushBytesAsync(target, repository, ArtifactManifest.EmptyConfigDescriptor, ArtifactManifest.EmptyConfig, cancellationToken).ConfigureAwait(false);
                await PushBytesAsync(target, repository, attachment.Document, attachment.Content, cancellationToken).ConfigureAwait(false);
                if (await target.PutManifestAsync(repository, artifact.Digest.ToString(), artifact.Bytes, artifact.MediaType, cancellationToken).ConfigureAwait(false))
                {
                    attached++;
                }
                else
                {
                    toTag.Add(attachment);
                }
            }
            // The image is pushed and tagged by now: whatever the registry does with its referrers (refuses the media type,
            // the permission, or stops answering) is said, and does not fail the publish.
            catch (Exception e) when (e is RegistryException or InvalidContentException)
            {
                warn?.Invoke(new AttachmentRefusedWarning(attachment, target.Registry.ToString(), e.Message));
            }
        }
        foreach (var subject in toTag.GroupBy(a => a.Subject.Digest))
        {
            try
            {
                // Read right before it is written, as the other tools that keep the tag do: what they added is kept.
                var tag = ReferrersIndex.TagFor(subject.Key);
                var existing = (await target.GetManifestAsync(repository, tag, cancellationToken).ConfigureAwait(false))?.Bytes;
                var updated = subject.Aggregate(existing, (index, attachment) => ReferrersIndex.With(index, attachment.Manifest));
                if (!ReferenceEquals(updated, existing))
                {
                    await target.PutManifestAsync(repository, tag, updated!, MediaTypes.OciIndex, cancellationToken).ConfigureAwait(false);
                }
                attached += subject.Count();
            }
            catch (Exception e) when (e is RegistryException or InvalidContentException)
            {
                foreach (var attachment in subject)
                {
                    warn?.Invoke(new AttachmentRefusedWarning(attachment, target.Registry.ToString(), e.Message));
                }
            }
        }
        return attached;
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
