using System.Text.Json.Nodes;
using Containers.Build.Model;

namespace Containers.Build.Images.Destinations;

/// <summary>
/// A small JSON file with the facts about a published image (names, tags, digests, where it went), for CI
/// steps to read instead of parsing the build log. Written under a temporary name and moved into place.
/// </summary>
public static class ImageFacts
{
    public static void Write(string path, PublishOutcome outcome, ImageNames names)
        => WriteJson(path, Describe(outcome.Image, names, outcome.Destinations));

    /// <summary>Writes &lt;output&gt;.json next to an archive or layout.</summary>
    public static void WriteNextTo(string outputPath, BuiltImage image, ImageNames names, DestinationResult result)
        => WriteJson(outputPath + ".json", Describe(image, names, [result]));

    private static JsonObject Describe(BuiltImage image, ImageNames names, IEnumerable<DestinationResult> destinations) => new()
    {
        ["repository"] = names.Repository,
        ["tags"] = new JsonArray(names.Tags.Select(t => (JsonNode)JsonValue.Create(t)).ToArray()),
        ["manifestDigest"] = image.Digest.ToString(),
        ["manifestMediaType"] = image.Manifest.MediaType,
        ["configDigest"] = image.Config.Digest.ToString(),
        ["baseImage"] = image.Base.Reference.ToString(),
        ["baseImageDigest"] = image.Base.ResolvedDigest.ToString(),
        ["destinations"] = new JsonArray(destinations.Select(d => (JsonNode)new JsonObject
        {
            ["kind"] = d.Target switch
            {
                RegistryTarget => "registry",
                ArchiveTarget { Format: ArchiveFormat.Oci } => "oci-archive",
                ArchiveTarget => "docker-archive",
                OciLayoutTarget => "oci-layout",
                _ => d.Path is null ? "local-engine" : "docker-archive",
            },
            ["names"] = new JsonArray(d.Names.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
            ["path"] = d.Path,
        }).ToArray()),
    };

    private static void WriteJson(string path, JsonObject json) => AtomicFile.WriteAllBytes(path, JsonContent.Serialize(json));
}
