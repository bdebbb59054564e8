using Containers.Build.Model;
using Containers.Build.Publishing.Destinations;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Join;

/// <summary>
/// Sends the join in the order that keeps every name valid: each image the repository lacks is copied into it by
/// digest (its config and layers mounted from another repository of the same registry, else uploaded as they are,
/// never recompressed; then its manifest, the same bytes), and only when every image is there the index goes under the
/// tags. No tag names an image until all of it is in the repository, and no other tag is ever put.
/// </summary>
internal static class JoinPush
{
    private const int MaxParallelTransfers = 3;

    /// <returns>Each image's digest with whether it was copied, what happened to each blob copied, and how many tags were put.</returns>
    public static async Task<(IReadOnlySet<Digest> Copied, IReadOnlyList<BlobTransfer> Blobs, int TagsUpdated)> PushAsync(
        RegistryClient target, string repository, IReadOnlyList<JoinedImage> images, ImageIndex index, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var copied = new HashSet<Digest>();
        var blobs = new List<BlobTransfer>();
        foreach (var image in images)
        {
            // Read from this repository (the runner pushed it here), or copied by an earlier join: nothing to send.
            if (image.Store.IsRepository(target.Registry, repository)
                || await target.GetManifestDigestAsync(repository, image.Digest.ToString(), cancellationToken).ConfigureAwait(false) == image.Digest)
            {
                continue;
            }
            blobs.AddRange(await CopyBlobsAsync(target, repository, image, [image.Manifest.Config, .. image.Manifest.Layers], cancellationToken).ConfigureAwait(false));
            await target.PutManifestAsync(repository, image.Digest.ToString(), image.Manifest.Bytes, image.Manifest.MediaType, cancellationToken).ConfigureAwait(false);
            copied.Add(image.Digest);
        }

        var tagsUpdated = 0;
        foreach (var tag in tags)
        {
            if (await target.GetManifestDigestAsync(repository, tag, cancellationToken).ConfigureAwait(false) == index.Digest)
            {
                continue;
            }
            await target.PutManifestAsync(repository, tag, index.Bytes, index.MediaType, cancellationToken).ConfigureAwait(false);
            tagsUpdated++;
        }
        return (copied, blobs, tagsUpdated);
    }

    /// <summary>
    /// Blobs of an image (or of a referrer) into the repository, each once: nothing when it is there, a mount when the
    /// source is another repository of the same registry, else its bytes.
    /// </summary>
    internal static async Task<IReadOnlyList<BlobTransfer>> CopyBlobsAsync(RegistryClient target, string repository, JoinedImage image, IReadOnlyList<Descriptor> descriptors, CancellationToken cancellationToken)
    {
        var distinct = descriptors.DistinctBy(d => d.Digest).ToArray();
        var transfers = new BlobTransfer[distinct.Length];
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, distinct.Length),
                new ParallelOptions { MaxDegreeOfParallelism = MaxParallelTransfers, CancellationToken = cancellationToken },
                async (i, ct) => transfers[i] = await RegistryDestination.PushLayerAsync(target, image.Store.Blob(distinct[i]), repository, ct).ConfigureAwait(false)).ConfigureAwait(false);
        }
        // The source registry sent bytes that are not the blob: the image to join is bad, not the push refused.
        catch (BlobDigestMismatchException e)
        {
            throw new JoinImageUnreadableException(image.Source.Written, $"A blob of {image.Source.Written} is bad: {e.Message}", e);
        }
        return transfers;
    }
}
