using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Containers.Build.Layers;

/// <summary>
/// Makes the static web assets endpoints manifest (<c>&lt;App&gt;.staticwebassets.endpoints.json</c>) reproducible.
/// The SDK writes into it a <c>Last-Modified</c> header for every asset, taken from the file's time: the checkout
/// time of <c>wwwroot</c> files and the build time of their compressed copies. The same commit then gives another
/// file, so another layer and digest, in every clone and on every platform. In the image the header gets the
/// image's own time instead (SOURCE_DATE_EPOCH or the commit's), which is when that content was made; the ETag
/// headers, which browsers prefer, are content hashes and stay as they are. The publish folder is not touched:
/// the layer entry carries the rewritten bytes.
/// </summary>
public static class StaticWebAssetEndpoints
{
    private const string ManifestSuffix = ".staticwebassets.endpoints.json";

    public static IReadOnlyList<PlannedLayer> WithFixedTimes(IReadOnlyList<PlannedLayer> plan, DateTimeOffset time)
        => plan.Select(layer => layer.Entries.Any(IsManifest)
            ? layer with { Entries = layer.Entries.Select(e => IsManifest(e) ? Fixed(e, time) : e).ToArray() }
            : layer).ToArray();

    private static bool IsManifest(LayerEntry entry)
        => entry.Kind == LayerEntryKind.File && entry.ContainerPath.EndsWith(ManifestSuffix, StringComparison.OrdinalIgnoreCase);

    private static LayerEntry Fixed(LayerEntry entry, DateTimeOffset time)
    {
        var rewritten = Rewrite(File.ReadAllBytes(entry.SourcePath!), time);
        return rewritten is null ? entry : entry with { Content = rewritten };
    }

    /// <summary>The manifest with every Last-Modified response header set to <paramref name="time"/>; null when it has none or is not such a manifest.</summary>
    public static byte[]? Rewrite(byte[] manifest, DateTimeOffset time)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(manifest);
        }
        catch (JsonException)
        {
            return null;
        }
        var value = time.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);
        var changed = false;
        foreach (var endpoint in (root as JsonObject)?["Endpoints"] as JsonArray ?? [])
        {
            foreach (var header in (endpoint as JsonObject)?["ResponseHeaders"] as JsonArray ?? [])
            {
                if (header is JsonObject h && h["Name"] is JsonValue name && name.TryGetValue<string>(out var text)
                    && string.Equals(text, "Last-Modified", StringComparison.OrdinalIgnoreCase))
                {
                    h["Value"] = value;
                    changed = true;
                }
            }
        }
        // Relaxed escaping keeps routes and file names as the SDK wrote them ('+', non-ASCII) rather than \u-escaped.
        return changed ? JsonSerializer.SerializeToUtf8Bytes(root, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) : null;
    }
}
