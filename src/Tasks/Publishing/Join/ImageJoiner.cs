using Containers.Build.Layers;
using Containers.Build.Publishing.Destinations;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;

namespace Containers.Build.Publishing.Join;

/// <summary>
/// Joins platform images built on separate machines (each runner published its platform by digest only) into one
/// image index under the tags: every image is read where it is named (a registry by digest, a runner's facts file, an
/// OCI layout) and every rule checked (one image per platform, one format) before anything is sent; then the images the
/// repository lacks are copied into it by digest, and the index goes under the tags last.
/// </summary>
public static class ImageJoiner
{
    /// <exception cref="JoinFactsUnreadableException">A facts file cannot be read or names no place its image is.</exception>
    /// <exception cref="JoinImageNotFoundException">An image is not where it was named.</exception>
    /// <exception cref="JoinImageUnreadableException">An image cannot be read as a platform's image.</exception>
    /// <exception cref="JoinPlatformTwiceException">Two images are for one platform (then nothing is sent).</exception>
    /// <exception cref="JoinFormatsMixedException">Some images are OCI, some Docker (then nothing is sent).</exception>
    /// <param name="warn">Hears of a referrer of a copied image that could not be copied with it (the index is pushed all the same).</param>
    public static async Task<JoinOutcome> JoinAsync(JoinRequest request, RegistryClientFactory clients, CancellationToken cancellationToken, Action<PublishWarning>? warn = null)
    {
        var target = clients.Get(request.Registry, RegistryAccess.Push);
        var store = new ContentStore(request.ContentStoreDirectory);
        // The push client for the target registry: one set of tokens, and its other repositories' blobs mountable.
        RegistryClient ClientFor(References.RegistryHost host) => host == request.Registry ? target : clients.Get(host, RegistryAccess.Pull);

        var read = new List<JoinedImage>();
        foreach (var source in request.Sources)
        {
            read.AddRange(await JoinSourceReader.ReadAsync(source, request.Registry, ClientFor, store, cancellationToken).ConfigureAwait(false));
        }
        var images = JoinIndex.Distinct(read);
        var index = JoinIndex.Compose(images);

        var (copied, blobs, tagsUpdated) = await JoinPush.PushAsync(target, request.Repository, images, index, request.Tags, cancellationToken).ConfigureAwait(false);
        var referrers = await JoinReferrers.CopyAsync(target, request.Repository, images.Where(i => copied.Contains(i.Digest)).ToArray(), warn, cancellationToken).ConfigureAwait(false);

        var outcome = new JoinOutcome(request.Registry, request.Repository, request.Tags, index,
            images.Select(i => new PlatformJoin(i.Platform, i.Digest, i.Manifest.Config.Digest, i.Source.Written, copied.Contains(i.Digest))).ToArray())
        {
            Blobs = blobs,
            TagsUpdated = tagsUpdated,
            Referrers = referrers,
        };
        if (request.FactsPath is { } factsPath)
        {
            await DestinationWriteException.Guard(factsPath, () =>
            {
                JoinFacts.Write(factsPath, outcome);
                return Task.FromResult(true);
            }).ConfigureAwait(false);
        }
        return outcome;
    }
}
