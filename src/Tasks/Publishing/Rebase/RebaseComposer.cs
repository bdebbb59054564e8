using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;

namespace Containers.Build.Publishing.Rebase;

/// <summary>
/// The rebased documents, derived from the image's own JSON so that everything the rebase does not change is carried
/// over as it was (entrypoint, environment, labels, created, os/architecture/variant, annotations, unknown fields),
/// and written as every document of this project is (<see cref="JsonContent"/>).
/// </summary>
internal static class RebaseComposer
{
    public static RebasedImage Compose(SourcePlatformImage image, OldBase oldBase, BaseImage newBase)
    {
        var config = ComposeConfig(image, oldBase, newBase);
        return new RebasedImage(image, newBase, ComposeManifest(image, oldBase, newBase, config), config);
    }

    /// <summary>
    /// The new base's diff_ids and history, then the image's own (those above the old base's); the base.digest label,
    /// when the image has it, says what the base's name resolves to now.
    /// </summary>
    private static ImageConfig ComposeConfig(SourcePlatformImage image, OldBase oldBase, BaseImage newBase)
    {
        var json = image.Config.ToJsonObject();
        // ImageConfig.Parse made sure rootfs is an object.
        var rootfs = (JsonObject)json["rootfs"]!;
        var diffIds = newBase.Config.DiffIds.Concat(image.Config.DiffIds.Skip(oldBase.Config.DiffIds.Count));
        rootfs["diff_ids"] = new JsonArray(diffIds.Select(d => (JsonNode?)JsonValue.Create(d.ToString())).ToArray());
        // An image that recorded no history gets none: a history of the base's layers alone would not match its layers.
        if (json["history"] is JsonArray history)
        {
            // A clean native check was of the old base's layers: its record would claim what nobody checked.
            var own = history.Skip(History(oldBase.Config).Count).Where(entry => !Native.NativeCheckRecord.IsRecord(entry));
            json["history"] = new JsonArray(History(newBase.Config).Concat(own).Select(h => h?.DeepClone()).ToArray());
        }
        if (json["config"]?["Labels"] is JsonObject labels && labels.ContainsKey(GeneratedLabels.BaseDigest))
        {
            labels[GeneratedLabels.BaseDigest] = newBase.ResolvedDigest.ToString();
        }
        return ImageConfig.FromJson(json);
    }

    /// <summary>
    /// The image's manifest with the new config, the new base's layers (in the image's format) below the image's own
    /// layers (the same descriptors), and its base.digest annotation, when it has one, updated.
    /// </summary>
    private static ImageManifest ComposeManifest(SourcePlatformImage image, OldBase oldBase, BaseImage newBase, ImageConfig config)
    {
        var json = JsonContent.ParseObject(image.Manifest.Bytes, "image manifest");
        // ImageManifest.Parse made sure config is a descriptor and layers an array of them.
        var configDescriptor = (JsonObject)json["config"]!;
        configDescriptor["digest"] = config.Digest.ToString();
        configDescriptor["size"] = config.Bytes.LongLength;

        var format = image.Manifest.Format;
        var baseLayers = ((JsonArray)JsonContent.ParseObject(newBase.Manifest.Bytes, "base image's manifest")["layers"]!).Select(layer =>
        {
            var descriptor = (JsonObject)layer!.DeepClone();
            descriptor["mediaType"] = format.TranslateLayerMediaType(JsonFields.String(descriptor, "mediaType", "A base layer's descriptor")!);
            return (JsonNode?)descriptor;
        });
        var ownLayers = ((JsonArray)json["layers"]!).Skip(oldBase.Manifest.Layers.Count).Select(layer => layer?.DeepClone());
        json["layers"] = new JsonArray(baseLayers.Concat(ownLayers).ToArray());

        if (json["annotations"] is JsonObject annotations && annotations.ContainsKey(GeneratedLabels.BaseDigest))
        {
            annotations[GeneratedLabels.BaseDigest] = newBase.ResolvedDigest.ToString();
        }
        return ImageManifest.Parse(JsonContent.Serialize(json), image.Manifest.MediaType);
    }

    /// <summary>
    /// The image's index in its own format, its entries for the rebased platforms pointing at their new manifests and
    /// every other entry (platforms whose base did not move, attestations) as it was; a base.digest annotation of
    /// the index, when its base.name moved, updated.
    /// </summary>
    /// <param name="rebased">The new manifest, by the digest of the manifest it replaces.</param>
    /// <param name="movedBases">The new digest of each base name that moved.</param>
    public static ImageIndex ComposeIndex(ImageIndex index, IReadOnlyDictionary<Digest, ImageManifest> rebased, IReadOnlyDictionary<string, Digest> movedBases)
    {
        var json = JsonContent.ParseObject(index.Bytes, "image index");
        foreach (var entry in ((JsonArray)json["manifests"]!).OfType<JsonObject>())
        {
            if (Digest.TryParse(JsonFields.String(entry, "digest", "An entry of the image index"), out var digest) && rebased.TryGetValue(digest, out var manifest))
            {
                entry["mediaType"] = manifest.MediaType;
                entry["digest"] = manifest.Digest.ToString();
                entry["size"] = manifest.Bytes.LongLength;
            }
        }
        if (json["annotations"] is JsonObject annotations && annotations.ContainsKey(GeneratedLabels.BaseDigest)
            && JsonFields.String(annotations, GeneratedLabels.BaseName, "The image index's annotations") is { } name && movedBases.TryGetValue(name, out var moved))
        {
            annotations[GeneratedLabels.BaseDigest] = moved.ToString();
        }
        return ImageIndex.Parse(JsonContent.Serialize(json), index.MediaType);
    }

    private static IReadOnlyList<JsonNode?> History(ImageConfig config) => (config.ToJsonObject()["history"] as JsonArray)?.ToArray() ?? [];
}
