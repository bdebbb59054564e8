using System.Text.Json.Nodes;

namespace Containers.Build.Model;

/// <summary>An OCI image index or Docker manifest list, with its exact bytes.</summary>
public sealed class ImageIndex
{
    private ImageIndex(byte[] bytes, string mediaType, IReadOnlyList<Descriptor> manifests)
    {
        Bytes = bytes;
        MediaType = mediaType;
        Manifests = manifests;
        Digest = Digest.Compute(bytes);
    }

    public byte[] Bytes { get; }
    public string MediaType { get; }
    public IReadOnlyList<Descriptor> Manifests { get; }
    public Digest Digest { get; }

    public static ImageIndex Parse(byte[] bytes, string? contentType = null)
    {
        var json = JsonContent.ParseObject(bytes, "image index");
        var mediaType = JsonFields.String(json, "mediaType", "The image index") ?? contentType ?? MediaTypes.OciIndex;
        if (!MediaTypes.IsIndex(mediaType))
        {
            throw new InvalidContentException($"Expected an image index but got media type '{mediaType}'.");
        }
        var manifests = (json["manifests"] as JsonArray ?? throw new InvalidContentException("The image index has no manifests array."))
            .Select((node, i) => Descriptor.FromJson(node, $"Entry {i} of the image index"))
            .ToArray();
        return new ImageIndex(bytes, mediaType, manifests);
    }

    /// <summary>
    /// An index of one manifest per platform: an OCI image index for OCI manifests, a Docker manifest list for
    /// Docker ones (a registry or engine that reads one format reads the other's list badly or not at all).
    /// </summary>
    public static ImageIndex Create(ImageFormat format, IReadOnlyList<(ImageManifest Manifest, Platform Platform)> entries, IReadOnlyList<KeyValuePair<string, string>>? annotations = null)
    {
        var mediaType = format == ImageFormat.Docker ? MediaTypes.DockerManifestList : MediaTypes.OciIndex;
        var manifests = entries.Select(e => new Descriptor(e.Manifest.MediaType, e.Manifest.Digest, e.Manifest.Bytes.LongLength, e.Platform)).ToArray();
        var bytes = JsonContent.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", mediaType);
            writer.WriteStartArray("manifests");
            foreach (var manifest in manifests)
            {
                manifest.WriteTo(writer);
            }
            writer.WriteEndArray();
            JsonContent.WriteAnnotations(writer, annotations);
            writer.WriteEndObject();
        });
        return new ImageIndex(bytes, mediaType, manifests);
    }

    /// <summary>The entry for <paramref name="platform"/>, or null when the index has none.</summary>
    public Descriptor? FindManifest(Platform platform)
        => Manifests.FirstOrDefault(m => m.Platform is not null && MediaTypes.IsManifest(m.MediaType) && platform.IsSatisfiedBy(m.Platform));

    public IEnumerable<Platform> Platforms => Manifests.Where(m => m.Platform is not null).Select(m => m.Platform!);
}
