using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;

namespace Containers.Build.Publishing.Rebase;

/// <summary>
/// Moves a published image onto the digest its base's name resolves to now, without rebuilding it (as
/// <c>crane rebase</c> does): for each platform whose base moved, the old base's layers at the bottom of the image
/// are swapped for the new base's, the image's own layers stay as they are, and the config's diff_ids, history and
/// base.digest label follow. Platforms whose base did not move are kept as they are; when none moved, nothing is sent.
/// </summary>
public static class ImageRebaser
{
    /// <exception cref="RebaseImageNotFoundException">The image is not in its registry.</exception>
    /// <exception cref="RebaseBaseUnknownException">It does not record its base, or records one that is not in a registry.</exception>
    /// <exception cref="RebaseBaseNotPrefixException">Its lowest layers are not its recorded base's.</exception>
    /// <exception cref="RebaseOldBaseGoneException">Its recorded base is no longer in the base's registry.</exception>
    /// <exception cref="PlatformNotFoundException">The new base has no image for one of its platforms (then no tag is moved).</exception>
    /// <param name="warn">Hears of an SBOM or provenance the registry would not take for the new image (which is pushed all the same).</param>
    public static async Task<RebaseOutcome> RebaseAsync(RebaseRequest request, RegistryClientFactory clients, CancellationToken cancellationToken, Action<PublishWarning>? warn = null)
    {
        var image = request.Image;
        var target = clients.Get(image.Registry, RegistryAccess.Push);
        var source = await SourceImage.ReadAsync(target, image, cancellationToken).ConfigureAwait(false);
        var store = new ContentStore(request.ContentStoreDirectory);

        var platforms = new PlatformRebase[source.Platforms.Count];
        var rebased = new List<RebasedImage>();
        var movedBases = new Dictionary<string, Digest>(StringComparer.Ordinal);
        // One read of each base name for all the platforms that record it, as the publish resolved it.
        foreach (var group in source.Platforms.Select((platform, position) => (Image: platform, Position: position)).GroupBy(p => p.Image.Base.Name, StringComparer.Ordinal))
        {
            var first = group.First().Image;
            var baseImage = RegistryReferenceOf(first, image);
            // Read with the push client when the base is on the target registry: one set of tokens, and its layers mountable.
            var registry = await request.Mirrors.ChooseBaseClientAsync(
                host => clients.Get(host, host == image.Registry ? RegistryAccess.Push : RegistryAccess.Pull), baseImage, cancellationToken).ConfigureAwait(false);
            var newBases = await ReadBaseAsync(baseImage, () => BaseImageResolver.ResolveAsync(registry, baseImage, group.Select(p => p.Image.Platform).ToArray(), store, cancellationToken)).ConfigureAwait(false);

            foreach (var ((platformImage, position), newBase) in group.Zip(newBases))
            {
                var recorded = platformImage.Base;
                if (newBase.ResolvedDigest == recorded.Digest)
                {
                    platforms[position] = new PlatformRebase(platformImage.Platform, platformImage.Manifest.Digest, platformImage.Manifest.Digest, recorded.Name, recorded.Digest, recorded.Digest);
                    continue;
                }
                var oldBase = await ReadBaseAsync(baseImage with { Tag = null, Digest = recorded.Digest },
                    () => OldBase.ReadAsync(registry, baseImage, recorded, image, platformImage.Platform, cancellationToken)).ConfigureAwait(false);
                BasePrefix.Check(platformImage, oldBase, image);
                var composed = RebaseComposer.Compose(platformImage, oldBase, newBase);
                rebased.Add(composed);
                movedBases[recorded.Name] = newBase.ResolvedDigest;
                platforms[position] = new PlatformRebase(platformImage.Platform, platformImage.Manifest.Digest, composed.Manifest.Digest, recorded.Name, recorded.Digest, newBase.ResolvedDigest);
            }
        }

        var mediaType = source.Index?.MediaType ?? source.Platforms[0].Manifest.MediaType;
        if (rebased.Count == 0)
        {
            return new RebaseOutcome(image, source.Top.Digest, source.Top.Digest, mediaType, platforms) { IsIndex = source.Index is not null };
        }

        var index = source.Index is null ? null
            : RebaseComposer.ComposeIndex(source.Index, rebased.DistinctBy(r => r.Source.Manifest.Digest).ToDictionary(r => r.Source.Manifest.Digest, r => r.Manifest), movedBases);
        var transfers = await RebasePush.PushAsync(target, image.Repository, rebased, index, request.Tags, cancellationToken).ConfigureAwait(false);
        var referrers = await RebaseReferrers.CarryAsync(target, image.Repository, rebased, warn, cancellationToken).ConfigureAwait(false);
        return new RebaseOutcome(image, source.Top.Digest, index?.Digest ?? rebased[0].Manifest.Digest, mediaType, platforms)
        {
            IsIndex = index is not null,
            Tags = request.Tags,
            BaseLayers = transfers,
            Referrers = referrers,
        };
    }

    /// <summary>The recorded base name as a registry reference: a file or engine source has no digest that could have moved.</summary>
    private static ImageReference RegistryReferenceOf(SourcePlatformImage platformImage, ImageReference image)
    {
        var name = platformImage.Base.Name;
        BaseImageLocation location;
        try
        {
            location = BaseImageLocation.Parse(name);
        }
        catch (InvalidReferenceException e)
        {
            throw new RebaseBaseUnknownException(image, platformImage.Platform, $"its base name '{name}' is not an image reference ({e.Message})");
        }
        var kind = location switch
        {
            RegistryLocation registry => null,
            OciLayoutLocation => "an OCI image layout directory",
            OciArchiveLocation => "an OCI archive file",
            DockerArchiveLocation => "a docker-archive file",
            EngineImageLocation engine => $"an image in {engine.Engine}'s local storage",
            _ => "no image (scratch)",
        };
        if (kind is not null)
        {
            throw new RebaseBaseUnknownException(image, platformImage.Platform,
                $"its base {name} is {kind}, not an image in a registry: there is no registry tag whose new digest it could be moved to.", isNotInRegistry: true);
        }
        return ((RegistryLocation)location).Reference;
    }

    /// <summary>A base the registry answers for with an error or with documents that are not an image is unreadable, as in the publish.</summary>
    private static async Task<T> ReadBaseAsync<T>(ImageReference baseImage, Func<Task<T>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (RegistryException e) when (e is not RegistryUnreachableException && !e.IsAuthenticationFailure)
        {
            throw new BaseImageUnreadableException(baseImage, e);
        }
        catch (InvalidContentException e)
        {
            throw new BaseImageUnreadableException(baseImage, e);
        }
    }
}
