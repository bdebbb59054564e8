using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Rebase;

/// <summary>The image to rebase as its reference names it now: a single manifest, or an index and its platforms' images.</summary>
internal sealed record SourceImage(ManifestContent Top, ImageIndex? Index, IReadOnlyList<SourcePlatformImage> Platforms)
{
    /// <exception cref="RebaseImageNotFoundException">The registry does not have it.</exception>
    /// <exception cref="RebaseBaseUnknownException">A platform's image does not record its base.</exception>
    public static async Task<SourceImage> ReadAsync(RegistryClient registry, ImageReference image, CancellationToken cancellationToken)
    {
        var top = await registry.GetManifestAsync(image.Repository, image.Reference, cancellationToken).ConfigureAwait(false)
            ?? throw new RebaseImageNotFoundException(image);
        if (ManifestOrIndex.AsIndex(top, "image's manifest") is { } index)
        {
            var platforms = new List<SourcePlatformImage>();
            foreach (var entry in index.Manifests.Where(IsPlatformImage))
            {
                var content = await registry.GetManifestAsync(image.Repository, entry.Digest.ToString(), cancellationToken).ConfigureAwait(false)
                    ?? throw new RebaseImageNotFoundException(image with { Tag = null, Digest = entry.Digest });
                platforms.Add(await ReadPlatformAsync(registry, image, ImageManifest.Parse(content.Bytes, content.ContentType ?? entry.MediaType), entry.Platform, cancellationToken).ConfigureAwait(false));
            }
            return new SourceImage(top, index, platforms);
        }
        var single = await ReadPlatformAsync(registry, image, ImageManifest.Parse(top.Bytes, top.ContentType), null, cancellationToken).ConfigureAwait(false);
        return new SourceImage(top, null, [single]);
    }

    /// <summary>An index entry that is a platform's image; attestations and other artifacts (platform unknown/unknown) are kept as they are.</summary>
    public static bool IsPlatformImage(Descriptor entry)
        => MediaTypes.IsManifest(entry.MediaType) && entry.Platform is { Os: not ("" or "unknown") };

    private static async Task<SourcePlatformImage> ReadPlatformAsync(RegistryClient registry, ImageReference image, ImageManifest manifest, Platform? platform, CancellationToken cancellationToken)
    {
        var config = ImageConfig.Parse(await registry.GetSmallBlobAsync(image.Repository, manifest.Config, cancellationToken).ConfigureAwait(false));
        platform ??= PlatformOf(config);
        return new SourcePlatformImage(platform, manifest, config, RecordedBase.Read(manifest, config, image, platform));
    }

    /// <summary>A single image's platform, from its config (os, architecture and variant).</summary>
    private static Platform PlatformOf(ImageConfig config)
    {
        var variant = JsonFields.String(config.ToJsonObject(), "variant", "The image configuration");
        return new Platform(config.Os ?? throw new InvalidContentException("The image configuration has no os."),
            config.Architecture ?? throw new InvalidContentException("The image configuration has no architecture."), variant);
    }
}
