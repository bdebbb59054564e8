using System.Text.Json.Nodes;
using Containers.Build.Model;

namespace Containers.Build.Publishing.Join;

/// <summary>
/// The index over the joined images: one entry per platform, in platform order (so the runners' finishing order, or
/// the order the entries were given in, never changes its digest), of the images' own format.
/// </summary>
internal static class JoinIndex
{
    /// <summary>Each image once (the same manifest named twice, by its facts and by its digest, is one image), in platform order.</summary>
    /// <exception cref="JoinPlatformTwiceException">Two different images for one platform.</exception>
    public static IReadOnlyList<JoinedImage> Distinct(IReadOnlyList<JoinedImage> images)
    {
        var distinct = images.DistinctBy(i => i.Digest).ToArray();
        for (var i = 0; i < distinct.Length; i++)
        {
            for (var j = i + 1; j < distinct.Length; j++)
            {
                // arm64 and arm64/v8 are one platform: a runtime picks either entry for the other.
                if (distinct[i].Platform.IsSatisfiedBy(distinct[j].Platform))
                {
                    throw new JoinPlatformTwiceException(distinct[i].Platform, distinct[i].Source.Written, distinct[i].Digest, distinct[j].Source.Written, distinct[j].Digest);
                }
            }
        }
        return distinct
            .OrderBy(i => i.Platform.Os, StringComparer.Ordinal)
            .ThenBy(i => i.Platform.Architecture, StringComparer.Ordinal)
            .ThenBy(i => i.Platform.Variant ?? "", StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// An OCI image index of OCI manifests, a Docker manifest list of Docker ones. An OCI index carries the annotations
    /// every image has with the same value (the base, the created time, the version and source a publish writes), as a
    /// multi-platform publish's index carries them.
    /// </summary>
    /// <exception cref="JoinFormatsMixedException">Some images are OCI, some Docker.</exception>
    public static ImageIndex Compose(IReadOnlyList<JoinedImage> images)
    {
        var formats = images.Select(i => i.Manifest.Format).Distinct().ToArray();
        if (formats.Length > 1)
        {
            throw new JoinFormatsMixedException(images.Select(i => (i.Platform, i.Manifest.Format, i.Source.Written)).ToArray());
        }
        var format = formats[0];
        var annotations = format == ImageFormat.Oci ? SharedAnnotations(images) : [];
        return ImageIndex.Create(format, images.Select(i => (i.Manifest, i.Platform)).ToArray(), annotations);
    }

    private static IReadOnlyList<KeyValuePair<string, string>> SharedAnnotations(IReadOnlyList<JoinedImage> images)
    {
        var each = images.Select(i => Annotations(i.Manifest)).ToArray();
        return each[0].Where(a => each.Skip(1).All(other => other.TryGetValue(a.Key, out var value) && value == a.Value)).ToArray();
    }

    /// <summary>The manifest's string annotations, in its order.</summary>
    private static IReadOnlyDictionary<string, string> Annotations(ImageManifest manifest)
    {
        var annotations = JsonContent.ParseObject(manifest.Bytes, "image manifest")["annotations"] as JsonObject;
        // Insertion order is the manifest's: SharedAnnotations keeps the first image's order.
        var result = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in annotations ?? new JsonObject())
        {
            if (value is JsonValue text && text.TryGetValue<string>(out var s))
            {
                result[key] = s;
            }
        }
        return result;
    }
}
