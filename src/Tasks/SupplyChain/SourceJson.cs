using System.Text.Json;
using System.Text.Json.Nodes;

namespace Containers.Build.SupplyChain;

/// <summary>Reads the SDK's JSON files (deps.json, runtimeconfig.json) the way the host does: comments and trailing commas allowed.</summary>
internal static class SourceJson
{
    private static readonly JsonDocumentOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <exception cref="SbomSourceException">The file cannot be read, is not JSON, or is not an object.</exception>
    public static JsonObject ReadObject(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: Options) as JsonObject
                ?? throw new SbomSourceException(path, "the file is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new SbomSourceException(path, $"the file is not valid JSON: {e.Message}");
        }
        catch (IOException e)
        {
            throw new SbomSourceException(path, $"the file cannot be read: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SbomSourceException(path, $"the file cannot be read: {e.Message}");
        }
    }

    /// <summary>The node's text when it is a JSON string, else null.</summary>
    public static string? StringOf(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;
}
