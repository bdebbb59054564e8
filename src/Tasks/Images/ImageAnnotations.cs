using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// The annotations of an image's manifest (and of the index over several platforms), as the image-spec defines them:
/// the base as named and the digest that name resolved to (what <c>crane rebase</c> and scanners read), the image's time,
/// and the source, revision and version the generated labels carry (so each follows its label's switch), then the
/// project's own ContainerAnnotation items, which win. A Docker-format manifest has no annotations field: its image
/// says the same in its labels.
/// </summary>
public static class ImageAnnotations
{
    /// <summary>The labels whose values are also annotations, when the project has them.</summary>
    private static readonly string[] MirroredLabels = ["org.opencontainers.image.source", "org.opencontainers.image.revision", "org.opencontainers.image.version"];

    public static IReadOnlyList<KeyValuePair<string, string>> For(BaseImage baseImage, ImageSettings settings, ImageFormat format)
    {
        if (format != ImageFormat.Oci)
        {
            return [];
        }
        var annotations = new List<KeyValuePair<string, string>>();
        var generation = settings.GeneratedLabels;
        if (generation.BaseName && !baseImage.IsScratch)
        {
            annotations.Add(KeyValuePair.Create(GeneratedLabels.BaseName, baseImage.Name));
        }
        if (generation.BaseDigest && !baseImage.IsScratch)
        {
            annotations.Add(KeyValuePair.Create(GeneratedLabels.BaseDigest, baseImage.ResolvedDigest.ToString()));
        }
        if (generation.Created)
        {
            annotations.Add(KeyValuePair.Create(GeneratedLabels.Created, GeneratedLabels.FormatTime(settings.Created)));
        }
        foreach (var key in MirroredLabels)
        {
            if (settings.Labels.LastOrDefault(l => l.Key == key) is { Key: not null } label)
            {
                annotations.Add(label);
            }
        }
        annotations.AddRange(settings.Annotations);
        return annotations;
    }
}
