using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;

namespace Containers.Build.Images;

/// <summary>Reads a base image from its registry and narrows an index to the target platform.</summary>
public static class BaseImageResolver
{
    /// <param name="store">Where configurations are kept by digest, so a base that did not change is not read again.</param>
    public static async Task<BaseImage> ResolveAsync(RegistryClient registry, ImageReference reference, Platform platform, ContentStore store, CancellationToken cancellationToken)
    {
        var top = await registry.GetManifestAsync(reference.Repository, reference.Reference, cancellationToken).ConfigureAwait(false)
            ?? throw new BaseImageNotFoundException(reference);

        ImageManifest manifest;
        var mediaType = PeekMediaType(top);
        if (MediaTypes.IsIndex(mediaType))
        {
            var index = ImageIndex.Parse(top.Bytes, top.ContentType);
            var entry = index.FindManifest(platform) ?? throw new PlatformNotFoundException(reference, platform, index.Platforms);
            manifest = await ReadPlatformManifestAsync(registry, reference, entry, store, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            manifest = ImageManifest.Parse(top.Bytes, top.ContentType);
        }

        var configBytes = await ReadConfigAsync(registry, reference, manifest.Config, store, cancellationToken).ConfigureAwait(false);
        var config = ImageConfig.Parse(configBytes);
        if (config.Os is { } os && config.Architecture is { } architecture && !platform.IsSatisfiedBy(new Platform(os, architecture)))
        {
            throw new PlatformNotFoundException(reference, platform, [new Platform(os, architecture)]);
        }
        return new BaseImage(reference, manifest, config, top.Digest);
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
        var mediaType = json["mediaType"]?.GetValue<string>() ?? content.ContentType;
        // An OCI index may omit mediaType; it is the document with "manifests" rather than "layers".
        if (mediaType is null or "application/json" && json["manifests"] is not null)
        {
            return MediaTypes.OciIndex;
        }
        return mediaType;
    }
}
