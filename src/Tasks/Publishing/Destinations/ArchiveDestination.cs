using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;

namespace Containers.Build.Publishing.Destinations;

public enum ArchiveFormat
{
    /// <summary>docker save's format (manifest.json, repositories): podman load and docker load read it.</summary>
    Docker,

    /// <summary>A tar of an OCI image layout (oci-layout, index.json, blobs/).</summary>
    Oci,
}

/// <summary>
/// A tar file (ContainerArchiveOutputPath), gzipped when its name ends in .tar.gz or .tgz: a docker-archive
/// (what docker save writes: manifest.json and repositories naming every tag, the config and the layers) or an
/// OCI image-layout archive (oci-layout, index.json with a ref.name per tag, blobs/sha256). A multi-platform
/// image is always written as an OCI archive whose index.json names the image index: docker-archive's
/// manifest.json cannot say which image is for which platform (docker load reads the OCI archive since Docker
/// 25; podman load takes the host's platform from it). Written under a temporary name and moved into place.
/// </summary>
public sealed record ArchiveDestination(string Path, ArchiveFormat Format, bool Gzip) : IImageDestination
{
    public string Description => Path;

    public Task<DestinationResult> SendAsync(ImageSet images, ImageNames names, DestinationContext context, CancellationToken cancellationToken)
        => DestinationWriteException.Guard(Description, async () =>
        {
            var written = await WriteAsync(images, names, cancellationToken).ConfigureAwait(false);
            return written with { Summary = $"{written.Summary} — {context.Layers.Summary}" };
        });

    /// <summary>Writes the archive; the summary says what it is and how to load it.</summary>
    public async Task<DestinationResult> WriteAsync(ImageSet images, ImageNames names, CancellationToken cancellationToken)
    {
        var format = images.Index is null ? Format : ArchiveFormat.Oci;
        await using (var archive = new TarArchiveWriter(Path, Gzip))
        {
            await WriteEntriesAsync(archive, format, images, names, cancellationToken).ConfigureAwait(false);
        }

        // An archive is for loading into an engine, which has no place for referrers: the image's documents go beside
        // it (app.tar.spdx.json, app.tar.intoto.json; with the platform for one of several).
        foreach (var attachment in images.Attachments)
        {
            AtomicFile.WriteAllBytes(attachment.FileBeside(Path, oneOfSeveral: images.Index is not null), attachment.Content);
        }

        var size = new FileInfo(Path).Length;
        var kind = format == ArchiveFormat.Oci ? "OCI archive" : "docker-archive";
        if (images.Index is not null)
        {
            kind += $" of {images.Images.Count} platforms";
        }
        var load = (format, Gzip) switch
        {
            (ArchiveFormat.Oci, false) => $"podman load -i {Path}",
            (ArchiveFormat.Oci, true) => $"gunzip -c {Path} | podman load",
            (_, false) => $"docker load -i {Path} or podman load -i {Path}",
            _ => $"docker load -i {Path} or gunzip -c {Path} | podman load",
        };
        // podman names an OCI archive's image by its io.containerd.image.name (the full name), and a
        // docker-archive's by its RepoTags, under localhost/.
        var loadedNames = format == ArchiveFormat.Oci ? names.Tags.Select(names.FullName).ToArray() : names.Local.ToArray();
        var run = RunHint.For("podman", images.ImageFor(Platform.Host), format == ArchiveFormat.Oci ? loadedNames[0] : $"localhost/{loadedNames[0]}");
        return new DestinationResult(format == ArchiveFormat.Oci ? DestinationKinds.OciArchive : DestinationKinds.DockerArchive, loadedNames, Path,
            $"Wrote {string.Join(", ", loadedNames)}@{images.Digest} to {Path} ({kind}, {PushSummary.Size(size)}); load it with: {load}, then run it with: {run}", images)
        {
            IsArchive = true,
        };
    }

    /// <summary>Streams a docker-archive of one image into <paramref name="output"/> (an engine's standard input).</summary>
    public static async Task StreamDockerArchiveAsync(Stream output, BuiltImage image, ImageNames names, CancellationToken cancellationToken)
    {
        await using var archive = new TarArchiveWriter(output);
        await WriteEntriesAsync(archive, ArchiveFormat.Docker, ImageSet.Single(image), names, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteEntriesAsync(TarArchiveWriter archive, ArchiveFormat format, ImageSet images, ImageNames names, CancellationToken cancellationToken)
    {
        archive.AddDirectory("blobs");
        archive.AddDirectory("blobs/sha256");
        foreach (var image in images.Images)
        {
            await archive.AddBytesAsync(BlobName(image.Config.Digest), image.Config.Bytes, cancellationToken).ConfigureAwait(false);
        }
        foreach (var layer in images.DistinctLayers)
        {
            await archive.AddStreamAsync(BlobName(layer.Descriptor.Digest), () => layer.OpenAsync(cancellationToken), layer.Descriptor.Size, cancellationToken).ConfigureAwait(false);
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
            // Without the attachments: podman and docker load an archive whose index.json lists one image, and refuse
            // one that also lists referrers ("more than one image"). They go beside the archive instead.
            await archive.AddBytesAsync("index.json", OciLayoutIndex.WithImage(null, images with { Attachments = [] }, names), cancellationToken).ConfigureAwait(false);
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
