using System.Text.Json;
using System.Text.Json.Nodes;

namespace Containers.Build.Model;

/// <summary>Serializes JSON the same way every time, so equal content always has the same digest.</summary>
internal static class JsonContent
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        // Keep '+', '<', '>' and non-ASCII as they are: other tools write them literally too.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }
        return buffer.ToArray();
    }

    public static byte[] Serialize(JsonNode node) => Write(writer => node.WriteTo(writer));

    public static JsonObject ParseObject(ReadOnlySpan<byte> bytes, string what)
    {
        try
        {
            return JsonNode.Parse(bytes) as JsonObject
                ?? throw new InvalidContentException($"The {what} is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidContentException($"The {what} is not valid JSON: {e.Message}");
        }
    }
}
