using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Publishing.Rebase;
using Containers.Build.References;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Join;

/// <summary>
/// Reads what a join entry names: a facts file is followed to the image it records, and the image is read where it is
/// (its registry's repository, or the layout). A manifest is one platform's image, and an index gives each of its
/// platforms' images; an image's platform is what its config says (os, architecture, variant). Only documents (and
/// configs) are read here; no layer is fetched and nothing is sent.
/// </summary>
internal static class JoinSourceReader
{
    /// <param name="clientFor">The client for a registry: the push client for the target registry, a pull client for others.</param>
    /// <exception cref="JoinFactsUnreadableException">A facts file that cannot be read or names no place.</exception>
    /// <exception cref="JoinImageNotFoundException">The image, the layout or one of its documents is not there.</exception>
    /// <exception cref="JoinImageUnreadableException">What is there is not a platform's image, or its registry answered with an error.</exception>
    /// <param name="target">The registry the index goes to: of several registries a facts file names, the one read.</param>
    public static async Task<IReadOnlyList<JoinedImage>> ReadAsync(JoinSource source, RegistryHost target, Func<RegistryHost, RegistryClient> clientFor, ContentStore store, CancellationToken cancellationToken)
    {
        if (source is FactsJoinSource facts)
        {
            source = JoinFacts.Read(facts, target);
        }
        SourceStore sourceStore;
        Digest digest;
        switch (source)
        {
            case RegistryJoinSource registry:
                sourceStore = new RegistrySourceStore(clientFor(registry.Reference.Registry), registry.Reference.Repository, store);
                digest = registry.Digest;
                break;
            case LayoutJoinSource layout:
                var opened = LayoutSourceStore.Open(layout, store);
                sourceStore = opened;
                digest = Read(source, () => opened.Choose(layout));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(source), source, "A join entry of no known kind.");
        }
        try
        {
            return await ReadImagesAsync(source, sourceStore, digest, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidContentException e)
        {
            throw new JoinImageUnreadableException(source.Written, $"{source.Written} is not a valid image: {e.Message}", e);
        }
        // Unreachable registries and refused credentials keep their own codes; anything else the registry said is about this image.
        catch (RegistryException e) when (e is not RegistryUnreachableException && !e.IsAuthenticationFailure)
        {
            throw new JoinImageUnreadableException(source.Written, $"{source.Written} could not be read from {sourceStore.Where}: {e.Message}", e);
        }
    }

    private static async Task<IReadOnlyList<JoinedImage>> ReadImagesAsync(JoinSource source, SourceStore store, Digest digest, CancellationToken cancellationToken)
    {
        var top = await store.GetManifestAsync(digest, cancellationToken).ConfigureAwait(false)
            ?? throw new JoinImageNotFoundException(source.Written, $"{store.Where} has no manifest {digest} (named by {source.Written}).");
        if (ManifestOrIndex.AsIndex(top, $"manifest {digest}") is not { } index)
        {
            var manifest = ImageManifest.Parse(top.Bytes, top.ContentType);
            if (!IsImage(manifest))
            {
                throw new JoinImageUnreadableException(source.Written,
                    $"{source.Written} names {digest}, which is not an image but an artifact (its config is {manifest.Config.MediaType}): only images go in an index.");
            }
            return [new JoinedImage(source, store, manifest, await PlatformOfAsync(source, store, manifest, cancellationToken).ConfigureAwait(false))];
        }

        var images = new List<JoinedImage>();
        // Attestations that builders put in an index (platform unknown/unknown) are not platforms' images.
        foreach (var entry in index.Manifests.Where(e => MediaTypes.IsManifest(e.MediaType) && e.Platform is not { Os: "unknown" }))
        {
            var content = await store.GetManifestAsync(entry.Digest, cancellationToken).ConfigureAwait(false)
                ?? throw new JoinImageNotFoundException(source.Written, $"{store.Where} has the index {digest} (named by {source.Written}) but not its manifest {entry.Digest}.");
            var manifest = ImageManifest.Parse(content.Bytes, content.ContentType ?? entry.MediaType);
            if (IsImage(manifest))
            {
                var platform = await PlatformOfAsync(source, store, manifest, cancellationToken).ConfigureAwait(false);
                // A config may leave out the variant its index entry names (arm64's v8): the entry then completes it.
                if (entry.Platform is { Variant: not null } declared && platform.Variant is null && declared.Os == platform.Os && declared.Architecture == platform.Architecture)
                {
                    platform = declared;
                }
                images.Add(new JoinedImage(source, store, manifest, platform));
            }
        }
        return images.Count > 0 ? images
            : throw new JoinImageUnreadableException(source.Written, $"{source.Written} names the index {digest}, which lists no platform's image.");
    }

    /// <summary>An image's manifest has an image config; an artifact's (an SBOM's, a signature's) another, or the empty one.</summary>
    private static bool IsImage(ImageManifest manifest) => manifest.Config.MediaType is MediaTypes.OciConfig or MediaTypes.DockerConfig;

    /// <summary>The platform the image's config says it is for.</summary>
    private static async Task<Platform> PlatformOfAsync(JoinSource source, SourceStore store, ImageManifest manifest, CancellationToken cancellationToken)
    {
        var config = ImageConfig.Parse(await store.GetSmallBlobAsync(manifest.Config, cancellationToken).ConfigureAwait(false));
        var variant = JsonFields.String(config.ToJsonObject(), "variant", "The image configuration");
        if (string.IsNullOrEmpty(config.Os) || string.IsNullOrEmpty(config.Architecture))
        {
            throw new JoinImageUnreadableException(source.Written, $"The image {manifest.Digest} named by {source.Written} does not say its platform: its config has no os and architecture.");
        }
        return new Platform(config.Os, config.Architecture, string.IsNullOrEmpty(variant) ? null : variant);
    }

    private static T Read<T>(JoinSource source, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidContentException e)
        {
            throw new JoinImageUnreadableException(source.Written, $"{source.Written} cannot be read: {e.Message}", e);
        }
    }
}
