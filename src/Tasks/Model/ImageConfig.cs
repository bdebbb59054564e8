using System.Text.Json.Nodes;

namespace Containers.Build.Model;

/// <summary>
/// An image configuration (OCI config.md) with its exact bytes. Fields this product does not model are
/// kept as they are when a new configuration is derived from it.
/// </summary>
public sealed class ImageConfig
{
    private readonly JsonObject _json;

    private ImageConfig(byte[] bytes, JsonObject json)
    {
        Bytes = bytes;
        _json = json;
        Digest = Digest.Compute(bytes);
    }

    public byte[] Bytes { get; }
    public Digest Digest { get; }

    public string? Os => _json["os"]?.GetValue<string>();
    public string? Architecture => _json["architecture"]?.GetValue<string>();

    public IReadOnlyList<Digest> DiffIds =>
        (_json["rootfs"]?["diff_ids"] as JsonArray)?.Select(n => Digest.Parse(n!.GetValue<string>())).ToArray() ?? [];

    /// <summary>The environment as NAME=value pairs, in order; a later duplicate wins as in a container runtime.</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (_json["config"]?["Env"] is JsonArray env)
            {
                foreach (var entry in env.Select(e => e?.GetValue<string>()).OfType<string>())
                {
                    var equals = entry.IndexOf('=');
                    if (equals > 0)
                    {
                        result[entry[..equals]] = entry[(equals + 1)..];
                    }
                }
            }
            return result;
        }
    }

    public static ImageConfig Parse(byte[] bytes)
    {
        var json = JsonContent.ParseObject(bytes, "image configuration");
        if (json["rootfs"] is not JsonObject)
        {
            throw new InvalidContentException("The image configuration has no rootfs.");
        }
        return new ImageConfig(bytes, json);
    }

    public static ImageConfig FromJson(JsonObject json) => new(JsonContent.Serialize(json), (JsonObject)json.DeepClone());

    /// <summary>A copy of the JSON to derive a new configuration from.</summary>
    public JsonObject ToJsonObject() => (JsonObject)_json.DeepClone();
}
