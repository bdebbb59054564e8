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
/// garbage, and named by its digest.
/// </summary>
internal static class OciLayoutIndex
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    // containerd (and docker's image store) read the full, normalized name from here; podman load too.
    public const string ContainerdNameAnnotation = "io.containerd.image.name";

    public static readonly byte[] LayoutFile = """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray();

    /// <param name="existing">The current index.json bytes, or null for a new layout.</param>
    public static byte[] WithImage(byte[]? existing, ImageSet images, ImageNames names)
    {
        var kept = new JsonArray();
        if (existing is not null)
        {
            var json = JsonContent.ParseObject(existing, "OCI layout's index.json");
            foreach (var entry in json["manifests"] as JsonArray ?? [])
            {
                // Someone else's entry may be anything: only a string ref.name of one of our tags is replaced.
                var refName = entry is JsonObject { } e && e["annotations"] is JsonObject annotations
                    && annotations[RefNameAnnotation] is JsonValue name && name.TryGetValue<string>(out var text) ? text : null;
                if (refName is null || !names.Tags.Contains(refName))
                {
                    kept.Add(entry!.DeepClone());
                }
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
        return JsonContent.Serialize(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = kept,
        });
    }
}
