using System.Text.Json.Nodes;

namespace Containers.Build.Model;

/// <summary>
/// The referrers of a manifest as an OCI index: what the referrers API answers, and what a registry without it keeps
/// under the tag <c>sha256-&lt;hex of the subject&gt;</c> (distribution-spec 1.1, "referrers tag schema"). Adding a
/// referrer keeps every other entry, so referrers pushed by other tools survive.
/// </summary>
public static class ReferrersIndex
{
    /// <summary>The tag schema's tag for <paramref name="subject"/>.</summary>
    public static string TagFor(Digest subject) => $"{subject.Algorithm}-{subject.Hex}";

    /// <summary>Whether <paramref name="index"/> (the referrers API's answer, or the referrers tag's index; null: none) lists <paramref name="referrer"/>.</summary>
    /// <exception cref="InvalidContentException"><paramref name="index"/> is not an image index.</exception>
    public static bool Lists(byte[]? index, Digest referrer)
        => index is not null && Manifests(index).Any(listed => IsEntryFor(listed, referrer));

    private static JsonArray Manifests(byte[] index)
        => JsonContent.ParseObject(index, "referrers index")["manifests"] as JsonArray
           ?? throw new InvalidContentException("The referrers tag names a document that is not an image index (it has no manifests array).");

    private static bool IsEntryFor(JsonNode? listed, Digest referrer)
        => listed is JsonObject entry && entry["digest"] is JsonValue digest && digest.TryGetValue<string>(out var text) && text == referrer.ToString();

    /// <summary>The index with <paramref name="referrer"/> added (or <paramref name="existing"/> itself, when it lists it already); null <paramref name="existing"/> starts an empty one.</summary>
    /// <exception cref="InvalidContentException"><paramref name="existing"/> is not an image index.</exception>
    public static byte[] With(byte[]? existing, ArtifactManifest referrer) => With(existing, referrer.Digest, referrer.ToReferrerEntry());

    /// <summary>
    /// The index with the referrer <paramref name="entry"/> (named by <paramref name="referrer"/>, the artifact manifest's digest)
    /// added, or <paramref name="existing"/> itself when it lists it already: for an artifact read as it is (another tool's,
    /// copied into another repository), whose entry is made from its own manifest.
    /// </summary>
    /// <exception cref="InvalidContentException"><paramref name="existing"/> is not an image index.</exception>
    public static byte[] With(byte[]? existing, Digest referrer, JsonObject entry)
    {
        var entries = new JsonArray();
        if (existing is not null)
        {
            foreach (var listed in Manifests(existing))
            {
                if (IsEntryFor(listed, referrer))
                {
                    return existing;
                }
                entries.Add(listed?.DeepClone());
            }
        }
        entries.Add(entry.DeepClone());
        return JsonContent.Serialize(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = entries,
        });
    }
}
