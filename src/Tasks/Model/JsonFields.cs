using System.Text.Json;
using System.Text.Json.Nodes;

namespace Containers.Build.Model;

/// <summary>
/// Reads one field of a JSON document whose type is not to be trusted (a base image from any registry): a field
/// of the wrong type is an <see cref="InvalidContentException"/> naming the document and the field, never a
/// stray InvalidOperationException.
/// </summary>
internal static class JsonFields
{
    /// <summary>The string in <paramref name="field"/> of <paramref name="parent"/>; null when absent (or parent is not an object).</summary>
    public static string? String(JsonNode? parent, string field, string context)
        => Value<string>(parent, field, context, JsonValueKind.String, "a string");

    /// <summary>The node's string; null when it is anything else. For records this tool reads only when they are well formed.</summary>
    public static string? TextOrNull(JsonNode? node)
        => node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static long? Long(JsonNode? parent, string field, string context)
        => Has(parent, field) ? Value<long>(parent, field, context, JsonValueKind.Number, "an integer") : null;

    public static int? Int(JsonNode? parent, string field, string context)
        => Has(parent, field) ? Value<int>(parent, field, context, JsonValueKind.Number, "an integer") : null;

    // Value<T> of a value type returns T, not T?: an absent number would read as 0 (a descriptor without a size as
    // an empty blob), so absence is asked first.
    private static bool Has(JsonNode? parent, string field) => parent is JsonObject obj && obj[field] is not null;

    private static T? Value<T>(JsonNode? parent, string field, string context, JsonValueKind kind, string what)
    {
        if (parent is not JsonObject obj || obj[field] is not { } node)
        {
            return default;
        }
        if (node.GetValueKind() == kind && node is JsonValue value && value.TryGetValue<T>(out var result))
        {
            return result;
        }
        throw new InvalidContentException($"{context} has a '{field}' that is not {what} ({node.ToJsonString()[..Math.Min(node.ToJsonString().Length, 40)]}).");
    }
}
