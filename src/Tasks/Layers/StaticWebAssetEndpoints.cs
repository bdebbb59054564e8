using System.Globalization;
using System.Text;
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
/// the layer entry carries the new values as an overlay on the file (<see cref="ByteOverlay"/>), or, for a manifest
/// whose values cannot be overwritten where they are, the rewritten bytes.
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
        var value = HeaderValue(time);
        IReadOnlyList<long>? offsets;
        using (var file = new FileStream(entry.SourcePath!, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            offsets = LastModifiedValueOffsets(file, value.Length);
        }
        if (offsets is not null)
        {
            // Every value is overwritten where it is: the SDK's bytes stay as they are, and nothing is held in memory.
            return offsets.Count == 0 ? entry : entry with { Overlay = new ByteOverlay(offsets, Encoding.ASCII.GetBytes(value)) };
        }
        var rewritten = Rewrite(File.ReadAllBytes(entry.SourcePath!), time);
        return rewritten is null ? entry : entry with { Content = rewritten };
    }

    /// <summary>An HTTP date: always 29 ASCII characters, as the SDK writes them.</summary>
    private static string HeaderValue(DateTimeOffset time) => time.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Where each Last-Modified response header's value starts in the manifest, read as a stream (a site with tens of
    /// thousands of assets has a manifest of hundreds of MB); empty when there is none or the file is not JSON. Null when
    /// one cannot be overwritten in place (escaped, or not <paramref name="length"/> bytes long, or missing): then the
    /// whole manifest is rewritten.
    /// </summary>
    internal static IReadOnlyList<long>? LastModifiedValueOffsets(Stream manifest, int length)
    {
        var offsets = new List<long>();
        // Grown only for a token longer than it.
        var buffer = new byte[FileBuffer.Size];
        var filled = 0;
        long bufferStart = 0;
        var final = false;
        var state = new JsonReaderState();
        // The open containers: the property each was opened under (or Element inside an array), and whether it is an array.
        var open = new List<(Name Name, bool IsArray)>();
        var property = Name.Other;
        var isLastModified = false;
        long valueOffset = -1;
        try
        {
            while (true)
            {
                if (!final)
                {
                    var read = manifest.Read(buffer, filled, buffer.Length - filled);
                    final = read == 0;
                    filled += read;
                }
                var reader = new Utf8JsonReader(buffer.AsSpan(0, filled), final, state);
                while (reader.Read())
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.StartObject:
                        case JsonTokenType.StartArray:
                            open.Add((open.Count > 0 && open[^1].IsArray ? Name.Element : property, reader.TokenType == JsonTokenType.StartArray));
                            property = Name.Other;
                            if (IsHeader(open))
                            {
                                isLastModified = false;
                                valueOffset = -1;
                            }
                            break;
                        case JsonTokenType.EndObject:
                        case JsonTokenType.EndArray:
                            if (IsHeader(open) && isLastModified)
                            {
                                if (valueOffset < 0)
                                {
                                    return null;
                                }
                                offsets.Add(valueOffset);
                            }
                            open.RemoveAt(open.Count - 1);
                            break;
                        case JsonTokenType.PropertyName:
                            property = reader.ValueTextEquals("Endpoints"u8) ? Name.Endpoints
                                : reader.ValueTextEquals("ResponseHeaders"u8) ? Name.ResponseHeaders
                                : reader.ValueTextEquals("Name"u8) ? Name.HeaderName
                                : reader.ValueTextEquals("Value"u8) ? Name.HeaderValue
                                : Name.Other;
                            break;
                        default:
                            if (IsHeader(open) && property == Name.HeaderName)
                            {
                                isLastModified = reader.TokenType == JsonTokenType.String
                                    && string.Equals(reader.GetString(), "Last-Modified", StringComparison.OrdinalIgnoreCase);
                            }
                            else if (IsHeader(open) && property == Name.HeaderValue)
                            {
                                var inPlace = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && reader.ValueSpan.Length == length;
                                // Just after the opening quote.
                                valueOffset = inPlace ? bufferStart + reader.TokenStartIndex + 1 : -1;
                            }
                            property = Name.Other;
                            break;
                    }
                }
                if (final)
                {
                    return offsets;
                }
                state = reader.CurrentState;
                var consumed = (int)reader.BytesConsumed;
                Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
                bufferStart += consumed;
                if (filled == buffer.Length)
                {
                    // One token longer than the buffer.
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>Whether the innermost open container is a response header: {"Endpoints":[{"ResponseHeaders":[{ here }]}]}.</summary>
    private static bool IsHeader(List<(Name Name, bool IsArray)> open)
        => open.Count == 5 && !open[4].IsArray && open[3] is (Name.ResponseHeaders, true) && open[2] is (Name.Element, false)
           && open[1] is (Name.Endpoints, true) && !open[0].IsArray;

    private enum Name
    {
        Other,
        Element,
        Endpoints,
        ResponseHeaders,
        HeaderName,
        HeaderValue,
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
        var value = HeaderValue(time);
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
