using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.Publishing.Destinations;

namespace Containers.Build.Publishing;

/// <summary>
/// A small JSON file with the facts about a published image (names, tags, digests, where it went), for CI
/// steps to read instead of parsing the build log. Written under a temporary name and moved into place.
/// </summary>
public static class ImageFacts
{
    /// <summary>
    /// Writes the facts, and beside them each attachment (SBOM, provenance) as a file — <c>container-image.spdx.json</c>,
    /// or <c>container-image.linux-arm64.spdx.json</c> for one platform of several — named in the facts' attachments.
    /// </summary>
    public static void Write(string path, PublishOutcome outcome, ImageNames names)
    {
        var facts = Describe(outcome.Images, names, outcome.Destinations, outcome.FailedRegistries);
        var stem = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? path[..^5] : path;
        var attachments = new JsonArray();
        foreach (var attachment in outcome.Images.Attachments)
        {
            var file = attachment.FileBeside(stem, oneOfSeveral: outcome.Images.Index is not null);
            AtomicFile.WriteAllBytes(file, attachment.Content);
            attachments.Add(new JsonObject
            {
                ["kind"] = attachment.Kind.ToString().ToLowerInvariant(),
                ["platform"] = attachment.Platform.ToString(),
                ["mediaType"] = attachment.MediaType,
                ["digest"] = attachment.Document.Digest.ToString(),
                ["artifactDigest"] = attachment.Manifest.Digest.ToString(),
                ["subject"] = attachment.Subject.Digest.ToString(),
                ["path"] = file,
            });
        }
        facts["attachments"] = attachments;
        WriteJson(path, facts);
    }

    /// <summary>Writes &lt;output&gt;.json next to an archive or layout, describing what that destination got.</summary>
    public static void WriteNextTo(DestinationResult result, ImageNames names)
        => WriteJson(result.Path!.TrimEnd('/', '\\') + ".json", Describe(result.Sent, names, [result], []));

    /// <summary>
    /// manifestDigest is what the tags name (the index of a multi-platform image); configDigest is only there
    /// for a single image; platforms lists each platform's manifest and config; destinations lists what each
    /// destination got, every registry by name, and a registry that failed (of several) with its error and no names.
    /// </summary>
    private static JsonObject Describe(ImageSet images, ImageNames names, IEnumerable<DestinationResult> destinations, IEnumerable<RegistryPushFailure> failedRegistries) => new()
    {
        ["repository"] = names.Repository,
        ["tags"] = new JsonArray(names.Tags.Select(t => (JsonNode)JsonValue.Create(t)).ToArray()),
        ["manifestDigest"] = images.Digest.ToString(),
        ["manifestMediaType"] = images.MediaType,
        ["configDigest"] = images.Index is null ? images.Images[0].Config.Digest.ToString() : null,
        ["platforms"] = new JsonArray(images.Images.Select(image => (JsonNode)new JsonObject
        {
            // A single image says what its configuration says; an index's images, what the index says.
            ["platform"] = (images.Index is null ? PlatformOfConfig(image) : image.Platform).ToString(),
            ["manifestDigest"] = image.Digest.ToString(),
            ["configDigest"] = image.Config.Digest.ToString(),
        }).ToArray()),
        ["baseImage"] = images.Images[0].Base.DisplayName,
        ["baseImageDigest"] = images.Images[0].Base.IsScratch ? null : images.Images[0].Base.ResolvedDigest.ToString(),
        ["destinations"] = new JsonArray(destinations.Select(Destination).Concat(failedRegistries.Select(Failure)).ToArray()),
    };

    private static JsonNode Destination(DestinationResult destination)
    {
        var json = new JsonObject
        {
            ["kind"] = destination.Kind,
            ["names"] = new JsonArray(destination.Names.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
            ["path"] = destination.Path,
        };
        if (destination.Registry is { } registry)
        {
            json["registry"] = registry.ToString();
        }
        return json;
    }

    private static JsonNode Failure(RegistryPushFailure failure) => new JsonObject
    {
        ["kind"] = DestinationKinds.Registry,
        ["names"] = new JsonArray(),
        ["path"] = null,
        ["registry"] = failure.Registry.ToString(),
        ["error"] = failure.Error.Message,
    };

    private static Platform PlatformOfConfig(BuiltImage image) => new(image.Config.Os ?? "linux", image.Config.Architecture ?? "amd64");

    private static void WriteJson(string path, JsonObject json) => AtomicFile.WriteAllBytes(path, JsonContent.Serialize(json));
}
