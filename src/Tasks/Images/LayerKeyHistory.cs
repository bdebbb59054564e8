using System.Text.Json;
using System.Text.Json.Nodes;
using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// The input key of a layer this tool built, kept in the image itself: at the end of the layer's history comment
/// ("Containers.Build: the application (7 files under /app/); input key sha256:…"). The config's history is in both
/// formats (a Docker manifest carries no descriptor annotations), and a fresh runner reads it to find the layer's blob
/// without tarring anything. Only entries this tool wrote are read: created_by is <see cref="ImageBuilder.CreatedBy"/>
/// and the comment is one of its layer comments.
/// </summary>
public static class LayerKeyHistory
{
    private const string CommentPrefix = "Containers.Build: ";
    private const string KeyMarker = "; input key ";

    public static string Comment(string comment, Digest? key) => key is { } k ? $"{comment}{KeyMarker}{k}" : comment;

    /// <summary>For every layer of a config (in diff_id order), the key its history entry records, or null: none, or not written by this tool.</summary>
    /// <returns>Null when the history does not line up with the layers (one entry for each that is not an empty_layer), so nothing can be trusted.</returns>
    public static IReadOnlyList<Digest?>? KeysOf(ImageConfig config)
    {
        var json = config.ToJsonObject();
        if (json["history"] is not JsonArray history)
        {
            return null;
        }
        var keys = new List<Digest?>();
        foreach (var entry in history)
        {
            if (entry is not JsonObject item)
            {
                return null;
            }
            if (item["empty_layer"] is JsonValue empty && empty.GetValueKind() == JsonValueKind.True)
            {
                continue;
            }
            keys.Add(KeyOf(item));
        }
        return keys.Count == config.DiffIds.Count ? keys : null;
    }

    private static Digest? KeyOf(JsonObject entry)
    {
        if (Text(entry["created_by"]) != ImageBuilder.CreatedBy || Text(entry["comment"]) is not { } comment || !comment.StartsWith(CommentPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var marker = comment.LastIndexOf(KeyMarker, StringComparison.Ordinal);
        return marker >= 0 && Digest.TryParse(comment[(marker + KeyMarker.Length)..], out var key) ? key : null;
    }

    private static string? Text(JsonNode? node) => JsonFields.TextOrNull(node);
}
