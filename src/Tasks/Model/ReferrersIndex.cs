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
    public static byte[] With(byte[]? existing, ArtifactManifest referrer)
    {
        var entries = new JsonArray();
        if (existing is not null)
        {
            var json = JsonContent.ParseObject(existing, "referrers index");
            if (json["manifests"] is not JsonArray manifests)
            {
                throw new InvalidContentException("The referrers tag names a document that is not an image index (it has no manifests array).");
            }
            foreach (var entry in manifests)
            {
                if (entry is JsonObject e && e["digest"] is JsonValue digest && digest.TryGetValue<string>(out var text) && text == referrer.Digest.ToString())
                {
                    return existing;
                }
                entries.Add(entry?.DeepClone());
            }
        }
        entries.Add(referrer.ToReferrerEntry());
        return JsonContent.Serialize(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = entries,
        });
    }
}
