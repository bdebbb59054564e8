using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>What a document attached to an image says about it.</summary>
public enum AttachmentKind
{
    /// <summary>A software bill of materials (SPDX or CycloneDX).</summary>
    Sbom,
    /// <summary>An in-toto statement of how the image was built (SLSA provenance).</summary>
    Provenance,
}

/// <summary>
/// A document about one platform's image (its SBOM, its provenance), which every destination keeps with the image:
/// a registry as an OCI artifact whose subject is the image's manifest, a layout or OCI archive as a referrer in its
/// index, a docker-archive and the facts file as a file beside them.
/// </summary>
/// <param name="Subject">The platform image's manifest, which the artifact refers to.</param>
/// <param name="Created">The image's own time, for the artifact's created annotation (never the clock).</param>
public sealed record ImageAttachment(Descriptor Subject, Platform Platform, AttachmentKind Kind, string MediaType, byte[] Content, string Created)
{
    /// <summary>A document about <paramref name="image"/>.</summary>
    public static ImageAttachment For(BuiltImage image, AttachmentKind kind, string mediaType, byte[] content, string created)
        => new(new Descriptor(image.Manifest.MediaType, image.Digest, image.Manifest.Bytes.LongLength), image.Platform, kind, mediaType, content, created);

    private ArtifactManifest? _manifest;

    public Descriptor Document => new(MediaType, Digest.Compute(Content), Content.LongLength);

    /// <summary>The artifact as registries and layouts hold it; its artifactType is the document's media type, as BuildKit and ORAS write them.</summary>
    public ArtifactManifest Manifest => _manifest ??= ArtifactManifest.Create(MediaType, Document, Subject,
        [KeyValuePair.Create("org.opencontainers.image.created", Created)]);

    /// <summary>
    /// The file the document is written to beside <paramref name="stem"/> (an archive, the facts file without .json):
    /// <c>app.tar.spdx.json</c>, or <c>app.tar.linux-arm64.spdx.json</c> for one platform of several.
    /// </summary>
    public string FileBeside(string stem, bool oneOfSeveral)
        => stem + (oneOfSeveral ? "." + Platform.ToString().Replace('/', '-') : "") + FileExtension;

    /// <summary>The file name's ending when the document is written as a file: <c>.spdx.json</c>, <c>.cdx.json</c>, <c>.intoto.json</c>.</summary>
    public string FileExtension => MediaType switch
    {
        MediaTypes.SpdxJson => ".spdx.json",
        MediaTypes.CycloneDxJson => ".cdx.json",
        _ => ".intoto.json",
    };
}
