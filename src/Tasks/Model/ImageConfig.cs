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

    public string? Os => JsonFields.String(_json, "os", Context);
    public string? Architecture => JsonFields.String(_json, "architecture", Context);

    private const string Context = "The image configuration";

    public IReadOnlyList<Digest> DiffIds =>
        (_json["rootfs"]?["diff_ids"] as JsonArray)?.Select((n, i) => Digest.TryParse(n?.GetValueKind() == System.Text.Json.JsonValueKind.String ? n.GetValue<string>() : null, out var d)
            ? d : throw new InvalidContentException($"{Context}'s rootfs.diff_ids[{i}] is not a sha256 digest.")).ToArray() ?? [];

    /// <summary>The environment as NAME=value pairs, in order; a later duplicate wins as in a container runtime.</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if ((_json["config"] as JsonObject)?["Env"] is JsonArray env)
            {
                foreach (var entry in env.Select((e, i) => e is null ? null : e.GetValueKind() == System.Text.Json.JsonValueKind.String ? e.GetValue<string>()
                    : throw new InvalidContentException($"{Context}'s config.Env[{i}] is not a string.")).OfType<string>())
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

    /// <summary>What the container runs: config.Entrypoint then config.Cmd (strings only).</summary>
    public IReadOnlyList<string> Process
        => new[] { "Entrypoint", "Cmd" }.SelectMany(name => ((_json["config"] as JsonObject)?[name] as JsonArray)?
            .Where(n => n?.GetValueKind() == System.Text.Json.JsonValueKind.String).Select(n => n!.GetValue<string>()) ?? []).ToArray();

    /// <summary>The config's ExposedPorts keys (<c>8080/tcp</c>, <c>53/udp</c>), in order.</summary>
    public IReadOnlyList<string> ExposedPorts => ((_json["config"] as JsonObject)?["ExposedPorts"] as JsonObject)?.Select(p => p.Key).ToArray() ?? [];

    public static ImageConfig Parse(byte[] bytes)
    {
        var json = JsonContent.ParseObject(bytes, "image configuration");
        if (json["rootfs"] is not JsonObject)
        {
            throw new InvalidContentException("The image configuration has no rootfs.");
        }
        var config = new ImageConfig(bytes, json);
        // Read now what is read later, so a field of the wrong type is found while the base is being resolved.
        // The variant and user are carried into the new image: one of the wrong type would make it invalid.
        _ = (config.Os, config.Architecture, config.DiffIds, config.Environment);
        _ = (JsonFields.String(json, "variant", Context), JsonFields.String(json["config"], "User", $"{Context}'s config"));
        return config;
    }

    public static ImageConfig FromJson(JsonObject json) => new(JsonContent.Serialize(json), (JsonObject)json.DeepClone());

    /// <summary>A copy of the JSON to derive a new configuration from.</summary>
    public JsonObject ToJsonObject() => (JsonObject)_json.DeepClone();
}
