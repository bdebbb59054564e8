using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Publishing.Rebase;

/// <summary>
/// The base an image says it was built on: the name it was asked for by (org.opencontainers.image.base.name) and the
/// digest that name resolved to then (org.opencontainers.image.base.digest; an index's when it named one).
/// </summary>
public sealed record RecordedBase(string Name, Digest Digest)
{
    /// <summary>
    /// From the manifest's annotations, each one falling back to the config label of the same name (every image
    /// Containers.Build published records its base in labels; newer ones in annotations too).
    /// </summary>
    /// <exception cref="RebaseBaseUnknownException">Neither records the base, or not as a name and a digest.</exception>
    public static RecordedBase Read(ImageManifest manifest, ImageConfig config, ImageReference image, Platform platform)
    {
        var annotations = JsonContent.ParseObject(manifest.Bytes, "image manifest")["annotations"];
        var labels = config.ToJsonObject()["config"]?["Labels"];
        var name = Value(annotations, labels, GeneratedLabels.BaseName, "manifest's annotations");
        var digestText = Value(annotations, labels, GeneratedLabels.BaseDigest, "manifest's annotations");
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(digestText))
        {
            var missing = string.IsNullOrWhiteSpace(name) && string.IsNullOrWhiteSpace(digestText)
                ? "it does not say which base it was built on"
                : $"it records its base's {(string.IsNullOrWhiteSpace(name) ? "digest but not its name" : "name but not its digest")}";
            throw new RebaseBaseUnknownException(image, platform,
                $"{missing} (no {GeneratedLabels.BaseName} and {GeneratedLabels.BaseDigest} in its manifest's annotations or its config's labels).");
        }
        if (!Digest.TryParse(digestText.Trim(), out var digest))
        {
            throw new RebaseBaseUnknownException(image, platform, $"its {GeneratedLabels.BaseDigest} '{digestText}' is not a sha256 digest.");
        }
        return new RecordedBase(name.Trim(), digest);
    }

    private static string? Value(JsonNode? annotations, JsonNode? labels, string key, string context)
        => JsonFields.String(annotations, key, $"The {context}") ?? JsonFields.String(labels, key, "The config's labels");
}
