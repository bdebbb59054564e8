using System.Text.Json.Nodes;
using Containers.Build.Model;
using Containers.Build.Publishing.Destinations;
using Containers.Build.References;

namespace Containers.Build.Publishing.Join;

/// <summary>
/// The facts file as the join sees it: a runner's (ContainerImageFactsPath of its publish) names the image to join by
/// the registry, repository and digest it records; the join's own says the same of the index, in the same shape, so a
/// CI step reads either alike (and a joined index can itself be joined into a bigger one).
/// </summary>
internal static class JoinFacts
{
    /// <summary>
    /// Where the image a publish's facts describe can be read: a registry it was pushed to, by digest (of several, the
    /// one the index goes to, where nothing needs copying), else an OCI layout it was written to that is on this machine.
    /// </summary>
    /// <param name="target">The registry the index goes to.</param>
    /// <exception cref="JoinFactsUnreadableException">The file is missing, not the JSON a publish writes, or names no place the image is.</exception>
    public static JoinSource Read(FactsJoinSource facts, RegistryHost target)
    {
        var path = facts.Path;
        if (Directory.Exists(path))
        {
            throw new JoinFactsUnreadableException(facts.Written, "is a directory, not the facts file (container-image.json) a publish writes.");
        }
        if (!File.Exists(path))
        {
            throw new JoinFactsUnreadableException(facts.Written, $"does not exist ({path}).");
        }
        JsonObject json;
        try
        {
            json = JsonContent.ParseObject(File.ReadAllBytes(path), "facts file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidContentException)
        {
            throw new JoinFactsUnreadableException(facts.Written, $"cannot be read: {e.Message}");
        }
        try
        {
            return SourceOf(facts, json, target);
        }
        catch (InvalidContentException e)
        {
            throw new JoinFactsUnreadableException(facts.Written, $"is not what a publish writes: {e.Message}");
        }
    }

    private static JoinSource SourceOf(FactsJoinSource facts, JsonObject json, RegistryHost target)
    {
        var digestText = JsonFields.String(json, "manifestDigest", "The facts file");
        if (!Digest.TryParse(digestText, out var digest))
        {
            throw new JoinFactsUnreadableException(facts.Written, "records no manifestDigest: it is not the facts file a publish writes.");
        }
        var destinations = (json["destinations"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(d => (Kind: JsonFields.String(d, "kind", "A destination of the facts file"), Destination: d)).ToArray();

        // Each registry that holds the image, as its destination's first name says (registry/repository:tag, or @digest
        // for a push by digest only); one whose push failed (of several) has no names.
        var pushed = destinations.Where(d => d.Kind == DestinationKinds.Registry)
            .Select(d => d.Destination["names"] is JsonArray { Count: > 0 } names && names[0] is JsonValue first && first.TryGetValue<string>(out var name) ? ParseName(facts, name) : null)
            .OfType<ImageReference>().ToArray();
        if (pushed.Length > 0)
        {
            var reference = (pushed.FirstOrDefault(p => p.Registry == target) ?? pushed[0]) with { Tag = null, Digest = digest };
            return new RegistryJoinSource($"{facts.Written} ({reference})", reference);
        }

        var layout = destinations.Where(d => d.Kind == DestinationKinds.OciLayout).Select(d => JsonFields.String(d.Destination, "path", "A destination of the facts file")).FirstOrDefault(p => p is not null);
        if (layout is not null && Directory.Exists(layout))
        {
            return new LayoutJoinSource($"{facts.Written} (oci:{layout}@{digest})", layout, null, digest);
        }
        throw new JoinFactsUnreadableException(facts.Written, layout is null
            ? $"records no registry that its image {digest} was pushed to."
            : $"records no registry that its image {digest} was pushed to, and the OCI layout it was written to ({layout}) is not on this machine.");
    }

    private static ImageReference ParseName(FactsJoinSource facts, string name)
    {
        try
        {
            return ImageReference.Parse(name);
        }
        catch (InvalidReferenceException e)
        {
            throw new JoinFactsUnreadableException(facts.Written, $"names its registry destination '{name}', which is not an image reference ({e.Message}).");
        }
    }

    /// <summary>The joined index's facts: its registry, repository, tags and digest, each platform's image and where it came from.</summary>
    public static void Write(string path, JoinOutcome outcome) => AtomicFile.WriteAllBytes(path, JsonContent.Serialize(new JsonObject
    {
        ["repository"] = outcome.Repository,
        ["tags"] = new JsonArray(outcome.Tags.Select(t => (JsonNode)JsonValue.Create(t)).ToArray()),
        ["manifestDigest"] = outcome.Index.Digest.ToString(),
        ["manifestMediaType"] = outcome.Index.MediaType,
        ["configDigest"] = null,
        ["platforms"] = new JsonArray(outcome.Platforms.Select(p => (JsonNode)new JsonObject
        {
            ["platform"] = p.Platform.ToString(),
            ["manifestDigest"] = p.Digest.ToString(),
            ["configDigest"] = p.ConfigDigest.ToString(),
            ["source"] = p.Source,
        }).ToArray()),
        ["destinations"] = new JsonArray(new JsonObject
        {
            ["kind"] = DestinationKinds.Registry,
            ["names"] = new JsonArray(outcome.Names.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
            ["path"] = null,
            ["registry"] = outcome.Registry.ToString(),
        }),
    }));
}
