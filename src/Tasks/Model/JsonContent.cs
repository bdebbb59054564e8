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

    /// <summary>An <c>annotations</c> object of a manifest or index, when there are any (a later duplicate key wins).</summary>
    public static void WriteAnnotations(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, string>>? annotations)
    {
        if (annotations is not { Count: > 0 })
        {
            return;
        }
        var unique = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (key, value) in annotations)
        {
            if (!unique.ContainsKey(key))
            {
                order.Add(key);
            }
            unique[key] = value;
        }
        writer.WriteStartObject("annotations");
        foreach (var key in order)
        {
            writer.WriteString(key, unique[key]);
        }
        writer.WriteEndObject();
    }

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
