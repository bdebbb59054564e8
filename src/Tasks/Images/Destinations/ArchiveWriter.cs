using System.Text.Json.Nodes;
using Containers.Build.Model;

namespace Containers.Build.Images.Destinations;

/// <summary>
/// Writes an image as a docker-archive (what docker save writes: manifest.json and repositories naming
/// every tag, the config and the layers) or as an OCI image-layout archive (oci-layout, index.json with
/// a ref.name per tag, blobs/sha256). A multi-platform image is always written as an OCI archive whose
/// index.json names the image index: docker-archive's manifest.json cannot say which image is for which
/// platform (docker load reads the OCI archive since Docker 25; podman load takes the host's platform from it).
/// </summary>
public sealed class ArchiveWriter(LayerBlobs blobs)
{
    public async Task<DestinationResult> WriteAsync(ArchiveTarget target, ImageSet images, ImageNames names, CancellationToken cancellationToken)
    {
        var format = images.Index is null ? target.Format : ArchiveFormat.Oci;
        await using (var archive = new TarArchiveWriter(target.Path, target.Gzip))
        {
            await WriteEntriesAsync(archive, format, images, names, cancellationToken).ConfigureAwait(false);
        }

        var size = new FileInfo(target.Path).Length;
        var kind = format == ArchiveFormat.Oci ? "OCI archive" : "docker-archive";
        if (images.Index is not null)
        {
            kind += $" of {images.Images.Count} platforms";
        }
        var load = (format, target.Gzip) switch
        {
            (ArchiveFormat.Oci, false) => $"podman load -i {target.Path}",
            (ArchiveFormat.Oci, true) => $"gunzip -c {target.Path} | podman load",
            (_, false) => $"docker load -i {target.Path} or podman load -i {target.Path}",
            _ => $"docker load -i {target.Path} or gunzip -c {target.Path} | podman load",
        };
        return new DestinationResult(target, names.Local.ToArray(), target.Path,
            $"Wrote {string.Join(", ", names.Local)}@{images.Digest} to {target.Path} ({kind}, {Tasks.PushSummary.Size(size)}); load it with: {load}");
    }

    /// <summary>Streams a docker-archive of the image into <paramref name="output"/>.</summary>
    public async Task StreamDockerArchiveAsync(Stream output, BuiltImage image, ImageNames names, CancellationToken cancellationToken)
    {
        await using var archive = new TarArchiveWriter(output);
        await WriteEntriesAsync(archive, ArchiveFormat.Docker, ImageSet.Single(image), names, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteEntriesAsync(TarArchiveWriter archive, ArchiveFormat format, ImageSet images, ImageNames names, CancellationToken cancellationToken)
    {
        archive.AddDirectory("blobs");
        archive.AddDirectory("blobs/sha256");
        foreach (var image in images.Images)
        {
            await archive.AddBytesAsync(BlobName(image.Config.Digest), image.Config.Bytes, cancellationToken).ConfigureAwait(false);
        }
        foreach (var layer in images.DistinctLayers)
        {
            await archive.AddFileAsync(BlobName(layer.Descriptor.Digest), await blobs.PathOfAsync(layer, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        if (format == ArchiveFormat.Oci)
        {
            foreach (var image in images.Images)
            {
                await archive.AddBytesAsync(BlobName(image.Manifest.Digest), image.Manifest.Bytes, cancellationToken).ConfigureAwait(false);
            }
            if (images.Index is { } index)
            {
                await archive.AddBytesAsync(BlobName(index.Digest), index.Bytes, cancellationToken).ConfigureAwait(false);
            }
            await archive.AddBytesAsync("oci-layout", OciLayoutIndex.LayoutFile, cancellationToken).ConfigureAwait(false);
            await archive.AddBytesAsync("index.json", OciLayoutIndex.WithImage(null, images, names), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var image = images.Images.Single();
            await archive.AddBytesAsync("manifest.json", DockerManifestJson(image, names), cancellationToken).ConfigureAwait(false);
            await archive.AddBytesAsync("repositories", DockerRepositoriesJson(image, names), cancellationToken).ConfigureAwait(false);
        }
        await archive.CompleteAsync().ConfigureAwait(false);
    }

    private static string BlobName(Digest digest) => $"blobs/sha256/{digest.Hex}";

    private static byte[] DockerManifestJson(BuiltImage image, ImageNames names) => JsonContent.Serialize(new JsonArray(new JsonObject
    {
        ["Config"] = BlobName(image.Config.Digest),
        ["RepoTags"] = new JsonArray(names.Local.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
        ["Layers"] = new JsonArray(image.Layers.Select(l => (JsonNode)JsonValue.Create(BlobName(l.Descriptor.Digest))).ToArray()),
    }));

    // The legacy "repositories" file names the top layer's id for each tag; the diff_id serves as that id.
    private static byte[] DockerRepositoriesJson(BuiltImage image, ImageNames names)
    {
        var topLayer = image.Config.DiffIds.LastOrDefault()?.Hex ?? image.Config.Digest.Hex;
        return JsonContent.Serialize(new JsonObject
        {
            [names.Repository] = new JsonObject(names.Tags.Select(t => KeyValuePair.Create(t, (JsonNode?)JsonValue.Create(topLayer)))),
        });
    }
}
