using Containers.Build.Images;
using Containers.Build.Model;

namespace Containers.Build.Publishing.Destinations;

/// <summary>
/// An OCI image layout directory (ContainerOciLayoutPath). Blobs are copied in (each under a temporary name,
/// then moved), then index.json is replaced in one move; images with other tags stay in the layout, and the referrers
/// of an image a moved tag no longer names leave the index with it.
/// </summary>
public sealed record OciLayoutDestination(string Directory) : IImageDestination
{
    public string Description => Directory;

    public Task<DestinationResult> SendAsync(ImageSet images, ImageNames names, DestinationContext context, CancellationToken cancellationToken)
        => DestinationWriteException.Guard(Description, () => WriteAsync(images, names, context, cancellationToken));

    private async Task<DestinationResult> WriteAsync(ImageSet images, ImageNames names, DestinationContext context, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(Directory);
        var blobDirectory = Path.Combine(root, "blobs", "sha256");
        System.IO.Directory.CreateDirectory(blobDirectory);
        PendingFile.RemoveAbandoned(root);
        PendingFile.RemoveAbandoned(blobDirectory);

        foreach (var layer in images.DistinctLayers)
        {
            var destination = Path.Combine(blobDirectory, layer.Descriptor.Digest.Hex);
            if (!File.Exists(destination))
            {
                await using var source = await layer.OpenAsync(cancellationToken).ConfigureAwait(false);
                await AtomicFile.WriteAsync(destination, source.CopyToAsync, cancellationToken).ConfigureAwait(false);
            }
        }
        foreach (var image in images.Images)
        {
            WriteBlob(image.Config.Bytes, image.Config.Digest, blobDirectory);
            WriteBlob(image.Manifest.Bytes, image.Manifest.Digest, blobDirectory);
        }
        if (images.Index is { } index)
        {
            WriteBlob(index.Bytes, index.Digest, blobDirectory);
        }
        foreach (var attachment in images.Attachments)
        {
            WriteBlob(ArtifactManifest.EmptyConfig, ArtifactManifest.EmptyConfigDescriptor.Digest, blobDirectory);
            WriteBlob(attachment.Content, attachment.Document.Digest, blobDirectory);
            WriteBlob(attachment.Manifest.Bytes, attachment.Manifest.Digest, blobDirectory);
        }

        AtomicFile.WriteAllBytes(Path.Combine(root, "oci-layout"), OciLayoutIndex.LayoutFile);
        var indexPath = Path.Combine(root, "index.json");
        var existing = File.Exists(indexPath) ? await File.ReadAllBytesAsync(indexPath, cancellationToken).ConfigureAwait(false) : null;
        AtomicFile.WriteAllBytes(indexPath, OciLayoutIndex.WithImage(existing, images, names, digest => ReadSmallBlob(blobDirectory, digest)));

        var platforms = images.Index is null ? "" : $"; an index of {images.Images.Count} platforms";
        if (names.Tags.Count == 0)
        {
            return new DestinationResult(DestinationKinds.OciLayout, [$"oci:{root}@{images.Digest}"], root,
                $"Wrote {names.Repository}@{images.Digest} to the OCI layout {root} by digest only (listed without a tag{platforms}) — {context.Layers.Summary}", images);
        }
        return new DestinationResult(DestinationKinds.OciLayout, names.Tags.Select(t => $"oci:{root}:{t}").ToArray(), root,
            $"Wrote {string.Join(", ", names.Local)}@{images.Digest} to the OCI layout {root} (tags: {string.Join(", ", names.Tags)}{platforms}) — {context.Layers.Summary}", images);
    }

    /// <summary>The most of a blob read to see what it names: a manifest's size, as a registry's are bounded.</summary>
    private const long MaxManifestBytes = 4 * 1024 * 1024;

    /// <summary>A manifest-sized blob of the layout, or null.</summary>
    private static byte[]? ReadSmallBlob(string blobDirectory, Digest digest)
    {
        var file = new FileInfo(Path.Combine(blobDirectory, digest.Hex));
        return file.Exists && file.Length <= MaxManifestBytes ? File.ReadAllBytes(file.FullName) : null;
    }

    private static void WriteBlob(byte[] content, Digest digest, string blobDirectory)
    {
        var destination = Path.Combine(blobDirectory, digest.Hex);
        if (!File.Exists(destination))
        {
            AtomicFile.WriteAllBytes(destination, content);
        }
    }
}
