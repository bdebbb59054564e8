using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Rebase;

/// <summary>
/// The base an image was built on, for one platform, read by the digest the image recorded: the manifest whose
/// layers are the image's lowest ones, and the config whose diff_ids and history begin the image's.
/// </summary>
internal sealed record OldBase(ImageManifest Manifest, ImageConfig Config)
{
    /// <exception cref="RebaseOldBaseGoneException">The registry no longer has the recorded digest.</exception>
    /// <exception cref="RebaseBaseNotPrefixException">The recorded digest is an index without the image's platform.</exception>
    public static async Task<OldBase> ReadAsync(RegistryClient registry, ImageReference baseImage, RecordedBase recorded, ImageReference image, Platform platform, CancellationToken cancellationToken)
    {
        var top = await registry.GetManifestAsync(baseImage.Repository, recorded.Digest.ToString(), cancellationToken).ConfigureAwait(false)
            ?? throw new RebaseOldBaseGoneException(image, platform, baseImage, recorded.Digest);
        ImageManifest manifest;
        if (ManifestOrIndex.AsIndex(top, "old base's manifest") is { } index)
        {
            var entry = index.FindManifest(platform)
                ?? throw new RebaseBaseNotPrefixException(image, platform, recorded.Name, recorded.Digest,
                    $"that base has no {platform} image (it has {string.Join(", ", index.Platforms.Select(p => p.ToString()).Distinct())})");
            var content = await registry.GetManifestAsync(baseImage.Repository, entry.Digest.ToString(), cancellationToken).ConfigureAwait(false)
                ?? throw new RebaseOldBaseGoneException(image, platform, baseImage, entry.Digest);
            manifest = ImageManifest.Parse(content.Bytes, content.ContentType ?? entry.MediaType);
        }
        else
        {
            manifest = ImageManifest.Parse(top.Bytes, top.ContentType);
        }
        var config = ImageConfig.Parse(await registry.GetSmallBlobAsync(baseImage.Repository, manifest.Config, cancellationToken).ConfigureAwait(false));
        return new OldBase(manifest, config);
    }
}
