using System.Text.Json.Nodes;
using Containers.Build.Layers;
using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// Reads a base image from an OCI image layout directory (<c>oci:PATH[:TAG]</c>, as skopeo writes it): the entry of
/// index.json whose org.opencontainers.image.ref.name is the tag (or its only image), narrowed to each platform
/// when it is an index. Every document read is checked against its digest; layers are copied into the content
/// store (and checked) only when a destination needs their bytes.
/// </summary>
public static class OciLayoutSource
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    public static async Task<IReadOnlyList<BaseImage>> ResolveAsync(OciLayoutLocation location, IReadOnlyList<Platform> platforms, ContentStore store, CancellationToken cancellationToken)
    {
        var source = location.Written;
        var directory = location.Directory;
        if (!Directory.Exists(directory))
        {
            throw new BaseImageFileException(BaseImageFileFailure.Missing, source,
                File.Exists(directory)
                    ? $"The base image {source} names {directory}, which is a file, not an OCI image layout directory."
                    : $"The base image {source} names the directory {directory}, which does not exist.");
        }
        var indexPath = Path.Combine(directory, "index.json");
        if (!File.Exists(indexPath) || !File.Exists(Path.Combine(directory, "oci-layout")))
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source,
                $"The base image {source} names {directory}, which is not an OCI image layout (it has no oci-layout and index.json).");
        }
        var indexBytes = await File.ReadAllBytesAsync(indexPath, cancellationToken).ConfigureAwait(false);
        var layout = new Layout(source, $"The OCI layout {directory}", location.Tag, indexBytes,
            descriptor => ReadVerified(source, BlobPath(directory, descriptor.Digest), descriptor),
            descriptor => new FileBaseLayer(descriptor, BlobPath(directory, descriptor.Digest), source, store));
        return Resolve(layout, platforms, cancellationToken);
    }

    /// <summary>
    /// A layout to read, wherever it is: its index.json, how to read a small blob (checked against its digest), and
    /// how to make a layer's <see cref="ImageLayer"/>.
    /// </summary>
    /// <param name="Where">How messages name it ("The OCI layout /srv/base").</param>
    internal sealed record Layout(string Source, string Where, string? Tag, byte[] IndexBytes, Func<Descriptor, byte[]> ReadSmallBlob, Func<Descriptor, ImageLayer> MakeLayer);

    internal static IReadOnlyList<BaseImage> Resolve(Layout layout, IReadOnlyList<Platform> platforms, CancellationToken cancellationToken)
    {
        var source = layout.Source;
        var (entry, entries) = ChooseEntry(layout);

        Descriptor[] perPlatform;
        Digest resolved;
        if (entry is null)
        {
            // No tag, and index.json itself is the multi-platform index: each entry is one platform.
            resolved = Digest.Compute(layout.IndexBytes);
            perPlatform = Narrow(source, entries, platforms);
        }
        else if (MediaTypes.IsIndex(entry.MediaType))
        {
            var nested = Parse(source, () => ImageIndex.Parse(layout.ReadSmallBlob(entry), entry.MediaType));
            resolved = entry.Digest;
            perPlatform = Narrow(source, nested.Manifests, platforms);
        }
        else
        {
            resolved = entry.Digest;
            perPlatform = platforms.Select(_ => entry).ToArray();
        }

        var bases = new BaseImage[platforms.Count];
        for (var i = 0; i < platforms.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var manifest = Parse(source, () => ImageManifest.Parse(layout.ReadSmallBlob(perPlatform[i]), perPlatform[i].MediaType));
            var config = Parse(source, () => ImageConfig.Parse(layout.ReadSmallBlob(manifest.Config)));
            if (config.Os is { } os && config.Architecture is { } architecture && !platforms[i].IsSatisfiedBy(new Platform(os, architecture)))
            {
                throw PlatformMissing(source, platforms[i], [new Platform(os, architecture)]);
            }
            var layers = manifest.Layers.Select(layout.MakeLayer).ToArray();
            bases[i] = new BaseImage(null, manifest, config, resolved, layers) { SourceName = source };
        }
        return bases;
    }

    /// <summary>
    /// The entry the tag names, or the only one when no tag was given. No tag with several entries that are all
    /// platform images means index.json is the index (null entry); otherwise a tag is required.
    /// </summary>
    private static (Descriptor? Entry, IReadOnlyList<Descriptor> Entries) ChooseEntry(Layout layout)
    {
        var source = layout.Source;
        var indexBytes = layout.IndexBytes;
        JsonArray manifests;
        try
        {
            var json = JsonContent.ParseObject(indexBytes, "index.json");
            manifests = json["manifests"] as JsonArray ?? throw new InvalidContentException("index.json has no \"manifests\" array.");
        }
        catch (Exception e) when (e is InvalidContentException or System.Text.Json.JsonException)
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source, $"The base image {source} has an unreadable index.json: {e.Message}");
        }
        var entries = new List<(Descriptor Descriptor, string? Tag)>();
        foreach (var node in manifests)
        {
            // Referrers (an image's SBOM, its signature) are listed in a layout too; they are not images to build on.
            if (node?["artifactType"] is not null)
            {
                continue;
            }
            var descriptor = Parse(source, () => Descriptor.FromJson(node, "index.json"));
            var tag = node?["annotations"]?[RefNameAnnotation]?.GetValue<string>();
            entries.Add((descriptor, tag));
        }
        var tags = entries.Select(e => e.Tag).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (layout.Tag is { } wanted)
        {
            var match = entries.Where(e => e.Tag == wanted).Select(e => e.Descriptor).FirstOrDefault();
            return match is not null
                ? (match, [])
                : throw new BaseImageFileException(BaseImageFileFailure.TagNotFound, source,
                    $"{layout.Where} has no image tagged '{wanted}' (org.opencontainers.image.ref.name); {(tags.Length == 0 ? "its images have no tags" : "it has " + string.Join(", ", tags))}.",
                    tags);
        }
        if (entries.Count == 1)
        {
            return (entries[0].Descriptor, []);
        }
        if (entries.Count > 1 && entries.All(e => e.Descriptor.Platform is not null && MediaTypes.IsManifest(e.Descriptor.MediaType)) && tags.Length <= 1)
        {
            return (null, entries.Select(e => e.Descriptor).ToArray());
        }
        throw new BaseImageFileException(entries.Count == 0 ? BaseImageFileFailure.Invalid : BaseImageFileFailure.TagRequired, source,
            entries.Count == 0
                ? $"{layout.Where} holds no image."
                : $"{layout.Where} holds {entries.Count} images; name one with oci:PATH:TAG, where TAG is one of {(tags.Length == 0 ? "(none are tagged)" : string.Join(", ", tags))}.",
            tags);
    }

    private static Descriptor[] Narrow(string source, IReadOnlyList<Descriptor> entries, IReadOnlyList<Platform> platforms)
    {
        var available = entries.Select(e => e.Platform).OfType<Platform>().ToArray();
        return platforms.Select(platform =>
            entries.FirstOrDefault(e => e.Platform is { } p && platform.IsSatisfiedBy(p) && MediaTypes.IsManifest(e.MediaType))
            ?? throw PlatformMissing(source, platform, available)).ToArray();
    }

    private static BaseImageFileException PlatformMissing(string source, Platform wanted, IReadOnlyList<Platform> available)
    {
        var list = available.Select(p => p.ToString()).Distinct(StringComparer.Ordinal).ToArray();
        return new BaseImageFileException(BaseImageFileFailure.PlatformMissing, source,
            $"The base image {source} has no {wanted} variant; it offers {(list.Length == 0 ? "no platform information" : string.Join(", ", list))}.", list);
    }

    private static string BlobPath(string directory, Digest digest) => Path.Combine(directory, "blobs", digest.Algorithm, digest.Hex);

    /// <summary>A small blob (an index, manifest or config), whole, checked against its digest.</summary>
    private static byte[] ReadVerified(string source, string path, Descriptor descriptor)
    {
        if (!File.Exists(path))
        {
            throw new BaseImageFileException(BaseImageFileFailure.Missing, source,
                $"The base image {source} lists {descriptor.Digest}, but its blob {path} does not exist.");
        }
        return Verified(source, path, descriptor, File.ReadAllBytes(path));
    }

    /// <summary>The bytes, when they are the ones the descriptor names; a <see cref="BaseImageFileFailure.DigestMismatch"/> otherwise.</summary>
    internal static byte[] Verified(string source, string where, Descriptor descriptor, byte[] bytes)
    {
        var actual = Digest.Compute(bytes);
        if (actual != descriptor.Digest)
        {
            throw new BaseImageFileException(BaseImageFileFailure.DigestMismatch, source,
                $"The blob {where} of the base image {source} does not match its digest: it has digest {actual}, expected {descriptor.Digest}.",
                digest: descriptor.Digest);
        }
        return bytes;
    }

    private static T Parse<T>(string source, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception e) when (e is InvalidContentException or System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source, $"The base image {source} could not be read: {e.Message}");
        }
    }
}
