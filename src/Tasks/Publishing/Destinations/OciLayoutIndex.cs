using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;

namespace Containers.Build.Publishing.Destinations;

/// <summary>
/// The index.json of an OCI image layout: one manifest entry per tag, named by the
/// org.opencontainers.image.ref.name annotation, pointing at the image's manifest or, for a multi-platform
/// image, at its image index. Adding an image keeps every entry of other tags. The image's attachments (SBOMs,
/// provenance) are listed too, without a ref.name: artifact manifests whose subject names the image, which is how
/// tools (oras, regctl) find an image's referrers in a layout. An image published by digest only (no tags) is
/// listed without a ref.name, as skopeo lists an image copied to <c>oci:DIR</c> without a tag: in the layout, not
/// garbage, and named by its digest. When a tag moves to a new image, the referrers of the image it named are taken
/// out with it, if nothing in the layout names that image any more (its blobs stay, as skopeo leaves them).
/// </summary>
internal static class OciLayoutIndex
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    // containerd (and docker's image store) read the full, normalized name from here; podman load too.
    public const string ContainerdNameAnnotation = "io.containerd.image.name";

    public static readonly byte[] LayoutFile = """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray();

    /// <param name="existing">The current index.json bytes, or null for a new layout.</param>
    /// <param name="readBlob">
    /// The layout's blob of a digest, or null when it has none: how the referrers' subjects and the indexes' manifests
    /// are read. Null: no referrer is taken out.
    /// </param>
    public static byte[] WithImage(byte[]? existing, ImageSet images, ImageNames names, Func<Digest, byte[]?>? readBlob = null)
    {
        var kept = new JsonArray();
        var before = existing is null ? new JsonArray() : JsonContent.ParseObject(existing, "OCI layout's index.json")["manifests"] as JsonArray ?? [];
        foreach (var entry in before)
        {
            // Someone else's entry may be anything: only a string ref.name of one of our tags is replaced.
            var refName = entry is JsonObject { } e && e["annotations"] is JsonObject annotations
                && annotations[RefNameAnnotation] is JsonValue name && name.TryGetValue<string>(out var text) ? text : null;
            if (refName is null || !names.Tags.Contains(refName))
            {
                kept.Add(entry!.DeepClone());
            }
        }
        var listed = kept.OfType<JsonObject>().Select(e => e["digest"] is JsonValue d && d.TryGetValue<string>(out var text) ? text : null).ToHashSet(StringComparer.Ordinal);
        foreach (var attachment in images.Attachments)
        {
            if (listed.Add(attachment.Manifest.Digest.ToString()))
            {
                kept.Add(attachment.Manifest.ToReferrerEntry());
            }
        }
        if (names.Tags.Count == 0 && listed.Add(images.Digest.ToString()))
        {
            kept.Add(new JsonObject
            {
                ["mediaType"] = images.MediaType,
                ["digest"] = images.Digest.ToString(),
                ["size"] = images.Bytes.LongLength,
            });
        }
        foreach (var tag in names.Tags)
        {
            kept.Add(new JsonObject
            {
                ["mediaType"] = images.MediaType,
                ["digest"] = images.Digest.ToString(),
                ["size"] = images.Bytes.LongLength,
                ["annotations"] = new JsonObject
                {
                    [ContainerdNameAnnotation] = names.FullName(tag),
                    [RefNameAnnotation] = tag,
                },
            });
        }
        if (readBlob is not null)
        {
            kept = WithoutOrphanedReferrers(before, kept, readBlob);
        }
        return JsonContent.Serialize(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = kept,
        });
    }

    /// <summary>
    /// <paramref name="after"/> without the referrers whose subject this write left unnamed: named by the layout before
    /// (an entry, or a manifest of an entry's index), and no more. A referrer whose subject was unnamed already, or
    /// that cannot be read, is someone else's business and stays.
    /// </summary>
    private static JsonArray WithoutOrphanedReferrers(JsonArray before, JsonArray after, Func<Digest, byte[]?> readBlob)
    {
        // Each blob read and parsed once: the entries kept are in both lists.
        var parsed = new Dictionary<Digest, JsonObject?>();
        JsonObject? ReadOnce(Digest digest) => parsed.TryGetValue(digest, out var json) ? json : parsed[digest] = Read(digest, readBlob);
        var namedBefore = Named(before, ReadOnce);
        var namedAfter = Named(after, ReadOnce);
        var result = new JsonArray();
        foreach (var entry in after)
        {
            if (!(SubjectOf(entry, ReadOnce) is { } subject && namedBefore.Contains(subject) && !namedAfter.Contains(subject)))
            {
                result.Add(entry!.DeepClone());
            }
        }
        return result;
    }

    /// <summary>What the entries name: each entry that is not a referrer, and the manifests of those that are indexes.</summary>
    private static HashSet<Digest> Named(JsonArray entries, Func<Digest, JsonObject?> read)
    {
        var named = new HashSet<Digest>();
        foreach (var entry in entries)
        {
            if (entry is not JsonObject e || e["artifactType"] is not null || DigestOf(e) is not { } digest)
            {
                continue;
            }
            named.Add(digest);
            if (read(digest)?["manifests"] is JsonArray manifests)
            {
                named.UnionWith(manifests.OfType<JsonObject>().Select(DigestOf).OfType<Digest>());
            }
        }
        return named;
    }

    /// <summary>A referrer entry's subject (an artifact listed without a tag, whose manifest has one); null for any other entry.</summary>
    private static Digest? SubjectOf(JsonNode? entry, Func<Digest, JsonObject?> read)
        => entry is JsonObject e && e["artifactType"] is not null && !(e["annotations"] is JsonObject annotations && annotations[RefNameAnnotation] is not null)
            && DigestOf(e) is { } digest
            && read(digest)?["subject"] is JsonObject subject ? DigestOf(subject) : null;

    private static Digest? DigestOf(JsonObject descriptor)
        => descriptor["digest"] is JsonValue value && value.TryGetValue<string>(out var text) && Digest.TryParse(text, out var digest) ? digest : null;

    private static JsonObject? Read(Digest digest, Func<Digest, byte[]?> readBlob)
    {
        try
        {
            return readBlob(digest) is { } bytes ? JsonNode.Parse(bytes) as JsonObject : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
