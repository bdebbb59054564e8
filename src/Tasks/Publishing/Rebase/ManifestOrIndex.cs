using Containers.Build.Model;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Rebase;

/// <summary>What a reference names: an index (OCI or Docker) or a single image manifest.</summary>
internal static class ManifestOrIndex
{
    /// <summary>The index <paramref name="content"/> is, or null when it is an image manifest.</summary>
    public static ImageIndex? AsIndex(ManifestContent content, string what)
    {
        var json = JsonContent.ParseObject(content.Bytes, what);
        var mediaType = JsonFields.String(json, "mediaType", $"The {what}") ?? content.ContentType;
        if (MediaTypes.IsIndex(mediaType))
        {
            return ImageIndex.Parse(content.Bytes, mediaType);
        }
        // An OCI index may omit mediaType; it is the document with "manifests" rather than "layers".
        return mediaType is null or "application/json" && json["manifests"] is not null ? ImageIndex.Parse(content.Bytes, MediaTypes.OciIndex) : null;
    }
}
