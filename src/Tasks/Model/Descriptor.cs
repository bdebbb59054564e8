using System.Text.Json;
using System.Text.Json.Nodes;

namespace Containers.Build.Model;

/// <summary>Points at content by media type, digest and size (OCI image-spec descriptor.md).</summary>
public sealed record Descriptor(string MediaType, Digest Digest, long Size, Platform? Platform = null)
{
    public static Descriptor FromJson(JsonNode? node, string context)
    {
        if (node is not JsonObject obj)
        {
            throw new InvalidContentException($"{context} is not a JSON object.");
        }
        var mediaType = JsonFields.String(obj, "mediaType", context)
            ?? throw new InvalidContentException($"{context} has no mediaType.");
        var digestText = JsonFields.String(obj, "digest", context);
        if (!Digest.TryParse(digestText, out var digest))
        {
            throw new InvalidContentException($"{context} has an invalid digest '{digestText}'.");
        }
        var size = JsonFields.Long(obj, "size", context) ?? throw new InvalidContentException($"{context} has no size.");
        if (size < 0)
        {
            throw new InvalidContentException($"{context} has a negative size.");
        }
        Platform? platform = null;
        if (obj["platform"] is JsonObject p)
        {
            platform = new Platform(
                JsonFields.String(p, "os", $"{context}'s platform") ?? "",
                JsonFields.String(p, "architecture", $"{context}'s platform") ?? "",
                JsonFields.String(p, "variant", $"{context}'s platform"));
        }
        return new Descriptor(mediaType, digest, size, platform);
    }

    internal void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("mediaType", MediaType);
        writer.WriteString("digest", Digest.ToString());
        writer.WriteNumber("size", Size);
        if (Platform is not null)
        {
            writer.WriteStartObject("platform");
            writer.WriteString("architecture", Platform.Architecture);
            writer.WriteString("os", Platform.Os);
            if (Platform.Variant is not null)
            {
                writer.WriteString("variant", Platform.Variant);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }
}
