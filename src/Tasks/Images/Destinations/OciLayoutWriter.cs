using Containers.Build.Model;

namespace Containers.Build.Images.Destinations;

/// <summary>
/// Adds an image to an OCI image layout directory: blobs copied in (each under a temporary name, then
/// moved), then index.json replaced in one move. Images with other tags stay in the layout.
/// </summary>
public sealed class OciLayoutWriter(LayerBlobs blobs)
{
    public async Task<DestinationResult> WriteAsync(OciLayoutTarget target, ImageSet images, ImageNames names, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(target.Directory);
        var blobDirectory = Path.Combine(root, "blobs", "sha256");
        Directory.CreateDirectory(blobDirectory);

        foreach (var layer in images.DistinctLayers)
        {
            await CopyBlobAsync(await blobs.PathOfAsync(layer, cancellationToken).ConfigureAwait(false), layer.Descriptor.Digest, blobDirectory, cancellationToken).ConfigureAwait(false);
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

        AtomicFile.WriteAllBytes(Path.Combine(root, "oci-layout"), OciLayoutIndex.LayoutFile);
        var indexPath = Path.Combine(root, "index.json");
        var existing = File.Exists(indexPath) ? await File.ReadAllBytesAsync(indexPath, cancellationToken).ConfigureAwait(false) : null;
        AtomicFile.WriteAllBytes(indexPath, OciLayoutIndex.WithImage(existing, images, names));

        return new DestinationResult(target, names.Tags.Select(t => $"oci:{root}:{t}").ToArray(), root,
            $"Wrote {string.Join(", ", names.Local)}@{images.Digest} to the OCI layout {root} (tags: {string.Join(", ", names.Tags)}{(images.Index is null ? "" : $"; an index of {images.Images.Count} platforms")})");
    }

    private static async Task CopyBlobAsync(string source, Digest digest, string blobDirectory, CancellationToken cancellationToken)
    {
        var destination = Path.Combine(blobDirectory, digest.Hex);
        if (File.Exists(destination))
        {
            return;
        }
        var temporary = destination + $".{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 17, useAsync: true))
            await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 17, useAsync: true))
            {
                await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }
            File.Move(temporary, destination, overwrite: true);
        }
        finally
        {
            Layers.ContentStore.TryDelete(temporary);
        }
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
