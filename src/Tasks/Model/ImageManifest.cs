using System.Text.Json.Nodes;

namespace Containers.Build.Model;

/// <summary>
/// An image manifest (OCI or Docker v2 schema 2) together with the exact bytes it was read from or written
/// as: its digest is always the digest of those bytes, never of a re-serialization.
/// </summary>
public sealed class ImageManifest
{
    private ImageManifest(byte[] bytes, string mediaType, Descriptor config, IReadOnlyList<Descriptor> layers)
    {
        Bytes = bytes;
        MediaType = mediaType;
        Config = config;
        Layers = layers;
        Digest = Digest.Compute(bytes);
    }

    public byte[] Bytes { get; }
    public string MediaType { get; }
    public Descriptor Config { get; }
    public IReadOnlyList<Descriptor> Layers { get; }
    public Digest Digest { get; }
    public ImageFormat Format => ImageFormatExtensions.FromManifestMediaType(MediaType);

    /// <summary>Parses manifest bytes; <paramref name="contentType"/> is the registry's Content-Type, used when the JSON omits mediaType.</summary>
    public static ImageManifest Parse(byte[] bytes, string? contentType = null)
    {
        var json = JsonContent.ParseObject(bytes, "image manifest");
        var mediaType = JsonFields.String(json, "mediaType", "The image manifest") ?? contentType ?? MediaTypes.OciManifest;
        if (!MediaTypes.IsManifest(mediaType))
        {
            throw new InvalidContentException($"Expected an image manifest but got media type '{mediaType}'.");
        }
        if (JsonFields.Int(json, "schemaVersion", "The image manifest") != 2)
        {
            throw new InvalidContentException("The image manifest's schemaVersion is not 2.");
        }
        var config = Descriptor.FromJson(json["config"], "The manifest's config descriptor");
        var layers = (json["layers"] as JsonArray ?? throw new InvalidContentException("The image manifest has no layers array."))
            .Select((node, i) => Descriptor.FromJson(node, $"Layer {i} of the manifest"))
            .ToArray();
        return new ImageManifest(bytes, mediaType, config, layers);
    }

    /// <param name="annotations">Written as the manifest's annotations, in the order given; none writes no annotations field.</param>
    public static ImageManifest Create(ImageFormat format, Descriptor config, IReadOnlyList<Descriptor> layers, IReadOnlyList<KeyValuePair<string, string>>? annotations = null)
    {
        var mediaType = format.ManifestMediaType();
        var bytes = JsonContent.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", mediaType);
            writer.WritePropertyName("config");
            config.WriteTo(writer);
            writer.WriteStartArray("layers");
            foreach (var layer in layers)
            {
                layer.WriteTo(writer);
            }
            writer.WriteEndArray();
            JsonContent.WriteAnnotations(writer, annotations);
            writer.WriteEndObject();
        });
        return new ImageManifest(bytes, mediaType, config, layers);
    }
}
