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
            var json = JsonContent.ParseObject(existing, "referrers index");
            if (json["manifests"] is not JsonArray manifests)
            {
                throw new InvalidContentException("The referrers tag names a document that is not an image index (it has no manifests array).");
            }
            foreach (var listed in manifests)
            {
                if (listed is JsonObject e && e["digest"] is JsonValue digest && digest.TryGetValue<string>(out var text) && text == referrer.ToString())
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
