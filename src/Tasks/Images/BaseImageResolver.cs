using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;

namespace Containers.Build.Images;

/// <summary>
/// Reads a base image from a registry (its own, or a mirror's) and narrows an index to each target platform.
/// Its layers stay in that registry until a destination asks them for their bytes.
/// </summary>
public static class BaseImageResolver
{
    /// <param name="store">Where configurations are kept by digest, so a base that did not change is not read again.</param>
    public static async Task<BaseImage> ResolveAsync(RegistryClient registry, ImageReference reference, Platform platform, ContentStore store, CancellationToken cancellationToken)
        => (await ResolveAsync(registry, reference, [platform], store, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// The base image for each of <paramref name="platforms"/>, in that order, from one read of the name: an
    /// index gives each platform its entry; a single manifest serves only its own platform. A platform the
    /// base does not have is a <see cref="PlatformNotFoundException"/> listing the ones it has.
    /// </summary>
    public static async Task<IReadOnlyList<BaseImage>> ResolveAsync(RegistryClient registry, ImageReference reference, IReadOnlyList<Platform> platforms, ContentStore store, CancellationToken cancellationToken)
    {
        var top = await registry.GetManifestAsync(reference.Repository, reference.Reference, cancellationToken).ConfigureAwait(false)
            ?? throw new BaseImageNotFoundException(reference);

        var mediaType = PeekMediaType(top);
        var index = MediaTypes.IsIndex(mediaType) ? ImageIndex.Parse(top.Bytes, top.ContentType) : null;
        var single = index is null ? ImageManifest.Parse(top.Bytes, top.ContentType) : null;
        var missing = index is null ? [] : platforms.Where(p => index.FindManifest(p) is null).ToArray();
        if (missing.Length > 0)
        {
            throw new PlatformNotFoundException(reference, missing, index!.Platforms);
        }

        var bases = new BaseImage[platforms.Count];
        for (var i = 0; i < platforms.Count; i++)
        {
            var platform = platforms[i];
            var manifest = single ?? await ReadPlatformManifestAsync(registry, reference, index!.FindManifest(platform)!, store, cancellationToken).ConfigureAwait(false);
            var configBytes = await ReadConfigAsync(registry, reference, manifest.Config, store, cancellationToken).ConfigureAwait(false);
            var config = ImageConfig.Parse(configBytes);
            if (config.Os is { } os && config.Architecture is { } architecture && !platform.IsSatisfiedBy(new Platform(os, architecture)))
            {
                throw new PlatformNotFoundException(reference, [platform], [new Platform(os, architecture)]);
            }
            var layers = manifest.Layers.Select(layer => (ImageLayer)new RegistryLayer(layer, registry, reference.Repository, store)).ToArray();
            bases[i] = new BaseImage(reference, manifest, config, top.Digest, layers);
        }
        return bases;
    }

    /// <summary>A manifest named by digest never changes: once verified and stored, it is not fetched again.</summary>
    private static async Task<ImageManifest> ReadPlatformManifestAsync(RegistryClient registry, ImageReference reference, Descriptor entry, ContentStore store, CancellationToken cancellationToken)
    {
        if (store.TryReadVerified(entry.Digest) is { } cached)
        {
            return ImageManifest.Parse(cached, entry.MediaType);
        }
        // GetManifestAsync checks the bytes against the digest they were asked for.
        var fetched = await registry.GetManifestAsync(reference.Repository, entry.Digest.ToString(), cancellationToken).ConfigureAwait(false)
            ?? throw new BaseImageNotFoundException(reference with { Tag = null, Digest = entry.Digest });
        var manifest = ImageManifest.Parse(fetched.Bytes, fetched.ContentType ?? entry.MediaType);
        store.WriteBytes(fetched.Bytes, entry.Digest);
        return manifest;
    }

    private static async Task<byte[]> ReadConfigAsync(RegistryClient registry, ImageReference reference, Descriptor config, ContentStore store, CancellationToken cancellationToken)
    {
        if (store.TryReadVerified(config.Digest) is { } cached)
        {
            return cached;
        }
        var bytes = await registry.GetSmallBlobAsync(reference.Repository, config, cancellationToken).ConfigureAwait(false);
        store.WriteBytes(bytes, config.Digest);
        return bytes;
    }

    private static string? PeekMediaType(ManifestContent content)
    {
        var json = JsonContent.ParseObject(content.Bytes, "manifest");
        var mediaType = JsonFields.String(json, "mediaType", "The base image's manifest") ?? content.ContentType;
        // An OCI index may omit mediaType; it is the document with "manifests" rather than "layers".
        if (mediaType is null or "application/json" && json["manifests"] is not null)
        {
            return MediaTypes.OciIndex;
        }
        return mediaType;
    }
}
