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
        var facts = Describe(outcome.Images, names, outcome.Destinations);
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
        => WriteJson(result.Path!.TrimEnd('/', '\\') + ".json", Describe(result.Sent, names, [result]));

    /// <summary>
    /// manifestDigest is what the tags name (the index of a multi-platform image); configDigest is only there
    /// for a single image; platforms lists each platform's manifest and config.
    /// </summary>
    private static JsonObject Describe(ImageSet images, ImageNames names, IEnumerable<DestinationResult> destinations) => new()
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
        ["destinations"] = new JsonArray(destinations.Select(d => (JsonNode)new JsonObject
        {
            ["kind"] = d.Kind,
            ["names"] = new JsonArray(d.Names.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
            ["path"] = d.Path,
        }).ToArray()),
    };

    private static Platform PlatformOfConfig(BuiltImage image) => new(image.Config.Os ?? "linux", image.Config.Architecture ?? "amd64");

    private static void WriteJson(string path, JsonObject json) => AtomicFile.WriteAllBytes(path, JsonContent.Serialize(json));
}
