using System.Globalization;
using Containers.Build.References;

namespace Containers.Build.Images;

/// <summary>
/// Which of the labels that only the build knows are written (ContainerGenerateLabels and its
/// ContainerGenerateLabelsImageCreated / ImageBaseName / ImageBaseDigest switches). The others
/// (version, authors, url, ...) come from the targets as ContainerLabel items, as in the SDK.
/// </summary>
public sealed record LabelGeneration(bool Created, bool BaseName, bool BaseDigest)
{
    public static readonly LabelGeneration None = new(false, false, false);
    public static readonly LabelGeneration All = new(true, true, true);
}

/// <summary>The OCI annotations-as-labels that describe the build itself: when, and on which base.</summary>
public static class GeneratedLabels
{
    public const string Created = "org.opencontainers.image.created";
    public const string ArtifactCreated = "org.opencontainers.artifact.created";
    public const string BaseName = "org.opencontainers.image.base.name";
    public const string BaseDigest = "org.opencontainers.image.base.digest";

    /// <summary>
    /// The created labels carry the image's own creation time (SOURCE_DATE_EPOCH, the commit's time or 1970), never
    /// the clock, so a rebuild gives the same config; base.name is the canonical name the project asked for (a
    /// mirror it came through is not named), base.digest what that name resolved to.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> For(BaseImage baseImage, ImageSettings settings)
    {
        var generation = settings.GeneratedLabels;
        if (generation.Created)
        {
            var created = FormatTime(settings.Created);
            yield return KeyValuePair.Create(Created, created);
            yield return KeyValuePair.Create(ArtifactCreated, created);
        }
        if (generation.BaseName && !baseImage.IsScratch)
        {
            yield return KeyValuePair.Create(BaseName, baseImage.Name);
        }
        if (generation.BaseDigest && !baseImage.IsScratch)
        {
            yield return KeyValuePair.Create(BaseDigest, baseImage.ResolvedDigest.ToString());
        }
    }

    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The reference as people write it: docker.io rather than Docker Hub's API host.</summary>
    public static string CanonicalName(ImageReference reference)
    {
        var text = reference.ToString();
        return reference.Registry.IsDockerHub ? "docker.io" + text[reference.Registry.Value.Length..] : text;
    }
}
