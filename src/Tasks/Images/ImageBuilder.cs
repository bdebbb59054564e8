using System.Text.Json.Nodes;
using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// Composes a new image from a base image, the layers taken from other images (ContainerLayer, above the base), the
/// layers this build adds, and the project's settings.
/// </summary>
public static class ImageBuilder
{
    public const string CreatedBy = "Containers.Build";

    /// <param name="nativeCheck">This image's native check, recorded in its history (<see cref="Native.NativeCheckRecord"/>); null for none.</param>
    public static BuiltImage Build(BaseImage baseImage, IReadOnlyList<NewLayer> newLayers, ImageSettings settings, Platform platform, IReadOnlyList<ImportedLayer>? imported = null,
        Native.NativeCheckResult? nativeCheck = null)
    {
        imported ??= [];
        var format = settings.Format ?? baseImage.Manifest.Format;
        var config = ComposeConfig(baseImage, newLayers, settings, imported, nativeCheck);

        var layers = new List<ImageLayer>();
        foreach (var layer in baseImage.Layers.Concat(imported))
        {
            layers.Add(layer with { Descriptor = layer.Descriptor with { MediaType = format.TranslateLayerMediaType(layer.Descriptor.MediaType) } });
        }
        foreach (var added in newLayers)
        {
            var descriptor = added.Layer.Descriptor with { MediaType = NewLayerMediaType(format, added.Layer.Descriptor.MediaType) };
            layers.Add(added.Bytes is { } elsewhere ? elsewhere with { Descriptor = descriptor } : new LocalLayer(descriptor, added.Layer));
        }

        var configDescriptor = new Descriptor(format.ConfigMediaType(), config.Digest, config.Bytes.LongLength);
        var manifest = ImageManifest.Create(format, configDescriptor, layers.Select(l => l.Descriptor).ToArray(), ImageAnnotations.For(baseImage, settings, format));
        return new BuiltImage(baseImage, manifest, config, layers, platform);
    }

    /// <summary>
    /// A layer this build made: gzip under the format's label, zstd as it is. The settings check never lets a zstd layer
    /// meet a Docker manifest (CB1117), whose schema has no zstd layer type: reaching it here is a bug, not a setting.
    /// </summary>
    private static string NewLayerMediaType(ImageFormat format, string mediaType) => mediaType switch
    {
        MediaTypes.OciLayerZstd when format == ImageFormat.Docker
            => throw new InvalidOperationException("A zstd layer cannot be described in a Docker manifest."),
        MediaTypes.OciLayerZstd => mediaType,
        _ => format.GzipLayerMediaType(),
    };

    internal static ImageConfig ComposeConfig(BaseImage baseImage, IReadOnlyList<NewLayer> newLayers, ImageSettings settings, IReadOnlyList<ImportedLayer>? imported = null,
        Native.NativeCheckResult? nativeCheck = null)
    {
        var json = baseImage.Config.ToJsonObject();
        var created = settings.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        json["created"] = created;

        if (json["config"] is not JsonObject container)
        {
            container = new JsonObject();
            json["config"] = container;
        }

        var environment = MergeEnvironment(baseImage.Config.Environment, settings.Environment);
        container["Env"] = new JsonArray(environment.Select(e => (JsonNode)JsonValue.Create($"{e.Key}={e.Value}")).ToArray());
        container["WorkingDir"] = settings.WorkingDirectory;

        if (settings.Command is { } command)
        {
            command.ApplyTo(container);
        }
        else if (settings.Entrypoint is not null)
        {
            container["Entrypoint"] = ToJsonArray(settings.Entrypoint);
            // A new entrypoint makes the base's arguments meaningless, as Dockerfile ENTRYPOINT does.
            container.Remove("Cmd");
        }
        if (settings.Command is null && settings.Cmd is not null)
        {
            container["Cmd"] = ToJsonArray(settings.Cmd);
        }

        var user = settings.User ?? environment.GetValueOrDefault("APP_UID");
        if (!string.IsNullOrEmpty(user))
        {
            container["User"] = user;
        }

        var ports = new SortedSet<string>(StringComparer.Ordinal);
        if (container["ExposedPorts"] is JsonObject basePorts)
        {
            ports.UnionWith(basePorts.Select(p => p.Key));
        }
        ports.UnionWith(settings.Ports.Concat(AspNetCorePorts.FromEnvironment(environment)).Select(p => p.ToString()));
        if (ports.Count > 0)
        {
            container["ExposedPorts"] = new JsonObject(ports.Select(k => KeyValuePair.Create(k, (JsonNode?)new JsonObject())));
        }

        settings.HealthCheck?.ApplyTo(container);
        if (settings.Volumes.Count > 0)
        {
            var volumes = new SortedSet<string>(StringComparer.Ordinal);
            if (container["Volumes"] is JsonObject baseVolumes)
            {
                volumes.UnionWith(baseVolumes.Select(v => v.Key));
            }
            volumes.UnionWith(settings.Volumes);
            container["Volumes"] = new JsonObject(volumes.Select(v => KeyValuePair.Create(v, (JsonNode?)new JsonObject())));
        }
        if (settings.StopSignal is { } stopSignal)
        {
            container["StopSignal"] = stopSignal;
        }

        // Labels about the build first, so that a ContainerLabel of the same name wins.
        var allLabels = GeneratedLabels.For(baseImage, settings).Concat(settings.Labels).ToArray();
        if (allLabels.Length > 0)
        {
            var labels = container["Labels"] as JsonObject ?? new JsonObject();
            foreach (var (key, value) in allLabels)
            {
                labels[key] = value;
            }
            container["Labels"] = labels;
        }

        if (json["rootfs"] is not JsonObject rootfs)
        {
            rootfs = new JsonObject { ["type"] = "layers" };
            json["rootfs"] = rootfs;
        }
        var diffIds = rootfs["diff_ids"] as JsonArray ?? new JsonArray();
        var history = json["history"] as JsonArray ?? new JsonArray();
        foreach (var layer in imported ?? [])
        {
            // The history says where an imported layer came from: the image by digest, and the layer's own digest.
            diffIds.Add(layer.DiffId.ToString());
            history.Add(new JsonObject
            {
                ["created"] = created,
                ["created_by"] = CreatedBy,
                ["comment"] = $"ContainerLayer: layer {layer.Descriptor.Digest} of {layer.From}",
            });
        }
        foreach (var added in newLayers)
        {
            diffIds.Add(added.Layer.DiffId.ToString());
            history.Add(new JsonObject
            {
                ["created"] = created,
                ["created_by"] = CreatedBy,
                ["comment"] = LayerKeyHistory.Comment(added.Comment, added.Key),
            });
        }
        if (nativeCheck is not null)
        {
            history.Add(Native.NativeCheckRecord.HistoryEntry(nativeCheck, created));
        }
        rootfs["diff_ids"] = diffIds;
        json["history"] = history;

        return ImageConfig.FromJson(json);
    }

    private static Dictionary<string, string> MergeEnvironment(IReadOnlyDictionary<string, string> baseEnvironment, IReadOnlyList<KeyValuePair<string, string>> overrides)
    {
        // Dictionary keeps insertion order while nothing is removed: base order first, then new names.
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in baseEnvironment)
        {
            merged[key] = value;
        }
        foreach (var (key, value) in overrides)
        {
            merged[key] = value;
        }
        return merged;
    }

    private static JsonArray ToJsonArray(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}
