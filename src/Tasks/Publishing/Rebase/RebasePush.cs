using Containers.Build.Model;
using Containers.Build.Publishing.Destinations;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Rebase;

/// <summary>
/// Sends the rebased image to the repository it came from, in the order that keeps every name valid: the new base's
/// layers (mounted from the base's repository on the same registry, else copied as they are, never recompressed),
/// the configs, each platform's manifest by digest, the index, and only then the tags.
/// </summary>
internal static class RebasePush
{
    private const int MaxParallelTransfers = 3;

    /// <param name="index">The new index of a multi-platform image; null for a single image.</param>
    /// <param name="tags">Put last; with none the top is pushed by digest only.</param>
    /// <returns>What happened to each of the new base's layers.</returns>
    public static async Task<IReadOnlyList<BlobTransfer>> PushAsync(RegistryClient target, string repository, IReadOnlyList<RebasedImage> images, ImageIndex? index,
        IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        // The image's own layers are in the repository already: the image being rebased is there.
        var layers = images.SelectMany(i => i.NewBase.Layers).DistinctBy(l => l.Descriptor.Digest).ToArray();
        var transfers = new BlobTransfer[layers.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, layers.Length),
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelTransfers, CancellationToken = cancellationToken },
            async (i, ct) => transfers[i] = await RegistryDestination.PushLayerAsync(target, layers[i], repository, ct).ConfigureAwait(false)).ConfigureAwait(false);

        foreach (var image in images.DistinctBy(i => i.Config.Digest))
        {
            await RegistryDestination.PushBytesAsync(target, repository, image.Manifest.Config, image.Config.Bytes, cancellationToken).ConfigureAwait(false);
        }

        if (index is not null)
        {
            foreach (var image in images)
            {
                await target.PutManifestAsync(repository, image.Manifest.Digest.ToString(), image.Manifest.Bytes, image.Manifest.MediaType, cancellationToken).ConfigureAwait(false);
            }
        }
        var (bytes, mediaType, digest) = index is not null
            ? (index.Bytes, index.MediaType, index.Digest)
            : (images[0].Manifest.Bytes, images[0].Manifest.MediaType, images[0].Manifest.Digest);
        if (tags.Count == 0)
        {
            await target.PutManifestAsync(repository, digest.ToString(), bytes, mediaType, cancellationToken).ConfigureAwait(false);
        }
        foreach (var tag in tags)
        {
            await target.PutManifestAsync(repository, tag, bytes, mediaType, cancellationToken).ConfigureAwait(false);
        }
        return transfers;
    }
}
