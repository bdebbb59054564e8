using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Publishing.Stages;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Tasks;
using Containers.Build.Tests.Integration;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Images;

/// <summary>
/// ContainerBaseImage=docker-archive:PATH[:NAME:TAG]: what skopeo (as docker save and podman save) writes, with
/// uncompressed layer tars that become gzipped layers, reproducibly, with the tar's sha256 as diff_id.
/// </summary>
public class DockerArchiveSourceTests
{
    private static readonly Lazy<Task<string>> SharedArchive = new(async () =>
    {
        var root = BaseSources.NewFolder("cb-docker-archives");
        var archive = Path.Combine(root, "runtime-deps.tar");
        await BaseSources.CopyAsync($"docker://{TestEnvironment.Registry}/dotnet/runtime-deps:10.0-amd64", $"docker-archive:{archive}:cb/runtime-deps:10.0");
        return archive;
    });

    [IntegrationFact]
    public async Task Uncompressed_layers_become_gzipped_layers_whose_tar_is_the_diff_id_and_the_result_is_reproducible()
    {
        var archive = await SharedArchive.Value;
        using var storeDirectory = new TempDirectory("cb-dockerarchive-store");
        var written = $"docker-archive:{archive}:cb/runtime-deps:10.0";

        var image = Assert.Single(await BaseSources.ResolveAsync(written, new ContentStore(storeDirectory.Path)));

        Assert.Equal(written, image.Name);
        Assert.Equal(image.Manifest.Digest, image.ResolvedDigest);
        Assert.Equal(MediaTypes.DockerManifest, image.Manifest.MediaType);
        Assert.Equal("amd64", image.Config.Architecture);
        Assert.Equal(image.Config.DiffIds.Count, image.Layers.Count);
        for (var i = 0; i < image.Layers.Count; i++)
        {
            var layer = image.Layers[i];
            Assert.Equal(MediaTypes.DockerLayerGzip, layer.Descriptor.MediaType);
            Assert.Null(layer.MountSource);
            var file = await layer.GetFileAsync(CancellationToken.None);
            var bytes = File.ReadAllBytes(file);
            Assert.Equal(layer.Descriptor.Digest.Hex, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal(layer.Descriptor.Size, bytes.Length);
            await using var gunzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            Assert.Equal(image.Config.DiffIds[i].Hex, Convert.ToHexStringLower(await SHA256.HashDataAsync(gunzip)));
        }

        // The same archive in another content store gives the same layers and manifest: gzipped reproducibly.
        using var otherStore = new TempDirectory("cb-dockerarchive-store2");
        var again = Assert.Single(await BaseSources.ResolveAsync(written, new ContentStore(otherStore.Path)));
        Assert.Equal(image.ResolvedDigest, again.ResolvedDigest);

        // Resolved again with the same store, the layer is remembered by its diff_id, not compressed again.
        var stored = await image.Layers[0].GetFileAsync(CancellationToken.None);
        var before = File.GetLastWriteTimeUtc(stored);
        await Task.Delay(20);
        var third = Assert.Single(await BaseSources.ResolveAsync(written, new ContentStore(storeDirectory.Path)));
        Assert.Equal(image.ResolvedDigest, third.ResolvedDigest);
        Assert.Equal(before, File.GetLastWriteTimeUtc(stored));
    }

    [IntegrationFact]
    public async Task The_name_matches_as_a_reference_may_be_left_out_for_one_image_and_a_gzipped_archive_is_read()
    {
        var archive = await SharedArchive.Value;
        using var directory = new TempDirectory("cb-dockerarchive-names");
        var expected = Assert.Single(await BaseSources.ResolveAsync($"docker-archive:{archive}:cb/runtime-deps:10.0", new ContentStore(directory.Combine("a"))));

        // skopeo recorded docker.io/cb/runtime-deps:10.0; both spellings and no name at all find it.
        Assert.Equal(expected.ResolvedDigest, Assert.Single(await BaseSources.ResolveAsync($"docker-archive:{archive}:docker.io/cb/runtime-deps:10.0", new ContentStore(directory.Combine("b")))).ResolvedDigest);
        Assert.Equal(expected.ResolvedDigest, Assert.Single(await BaseSources.ResolveAsync($"docker-archive:{archive}", new ContentStore(directory.Combine("c")))).ResolvedDigest);

        var gzipped = directory.Combine("saved.tar.gz");
        await using (var input = File.OpenRead(archive))
        await using (var output = new GZipStream(File.Create(gzipped), CompressionLevel.Fastest))
        {
            await input.CopyToAsync(output);
        }
        Assert.Equal(expected.ResolvedDigest, Assert.Single(await BaseSources.ResolveAsync($"docker-archive:{gzipped}:cb/runtime-deps:10.0", new ContentStore(directory.Combine("d")))).ResolvedDigest);
    }

    [IntegrationFact]
    public async Task Missing_file_missing_name_and_a_platform_it_lacks_are_coded_errors()
    {
        var archive = await SharedArchive.Value;
        using var storeDirectory = new TempDirectory("cb-dockerarchive-store");
        var store = new ContentStore(storeDirectory.Path);

        var missing = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"docker-archive:{storeDirectory.Combine("none.tar")}", store));
        Assert.Equal(DiagnosticCodes.BaseImageFileMissing, BaseSources.Diagnose(missing, "docker-archive:x").Code);

        var tag = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"docker-archive:{archive}:cb/runtime-deps:9.0", store));
        Assert.Equal(DiagnosticCodes.BaseImageTagNotFound, BaseSources.Diagnose(tag, "docker-archive:x").Code);
        Assert.Equal(["docker.io/cb/runtime-deps:10.0"], tag.Available);

        var platform = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"docker-archive:{archive}", store, new Platform("linux", "arm64")));
        Assert.Equal(DiagnosticCodes.BaseImageFilePlatformMissing, BaseSources.Diagnose(platform, "docker-archive:x").Code);
        Assert.Equal(["linux/amd64"], platform.Available);
        Assert.Empty(Directory.GetFiles(Path.Combine(storeDirectory.Path, "blobs", "sha256")));
    }

    [IntegrationFact]
    public async Task A_layer_tar_that_is_not_its_diff_id_is_a_coded_error_and_nothing_is_stored()
    {
        var archive = await SharedArchive.Value;
        using var directory = new TempDirectory("cb-dockerarchive-corrupt");
        var unpacked = directory.Combine("unpacked");
        Directory.CreateDirectory(unpacked);
        await TarFile.ExtractToDirectoryAsync(archive, unpacked, overwriteFiles: false);
        var layerTar = Directory.GetFiles(unpacked, "*.tar").OrderByDescending(f => new FileInfo(f).Length).First();
        File.SetAttributes(layerTar, FileAttributes.Normal);
        var bytes = File.ReadAllBytes(layerTar);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(layerTar, bytes);
        var corrupt = directory.Combine("corrupt.tar");
        await TarFile.CreateFromDirectoryAsync(unpacked, corrupt, includeBaseDirectory: false);
        using var storeDirectory = new TempDirectory("cb-dockerarchive-store");
        var store = new ContentStore(storeDirectory.Path);

        var mismatch = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"docker-archive:{corrupt}", store));

        Assert.Equal(BaseImageFileFailure.DigestMismatch, mismatch.Failure);
        Assert.Equal(Path.GetFileNameWithoutExtension(layerTar), mismatch.Digest!.Hex);
        Assert.Equal(DiagnosticCodes.BaseImageFileDigestMismatch, BaseSources.Diagnose(mismatch, "docker-archive:x").Code);
        Assert.Empty(Directory.GetFiles(Path.Combine(storeDirectory.Path, "blobs", "sha256")));
        Assert.False(Directory.Exists(Path.Combine(storeDirectory.Path, "base-layers")) && Directory.EnumerateFiles(Path.Combine(storeDirectory.Path, "base-layers")).Any());
    }

    [Fact]
    public async Task A_zstd_layer_as_a_zstd_publish_writes_it_becomes_a_gzipped_layer_of_the_same_tar()
    {
        using var directory = new TempDirectory("cb-dockerarchive-zstd");
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "app/App.dll") { DataStream = new MemoryStream("an app"u8.ToArray()) });
        }
        var diffId = Digest.Compute(tar.ToArray());
        var zstd = new MemoryStream();
        using (var compressor = new ZstdLayerStream(zstd, CompressionLevel.Optimal, workers: 2))
        {
            compressor.Write(tar.ToArray());
            compressor.Complete();
        }
        var layerName = $"blobs/sha256/{Digest.Compute(zstd.ToArray()).Hex}";
        var config = System.Text.Encoding.UTF8.GetBytes($$$"""{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["{{{diffId}}}"]}}""");
        var archive = directory.Combine("zstd.tar");
        await using (var file = File.Create(archive))
        await using (var writer = new TarWriter(file, TarEntryFormat.Pax))
        {
            async Task Add(string name, byte[] content)
                => await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
            await Add("config.json", config);
            await Add(layerName, zstd.ToArray());
            await Add("manifest.json", System.Text.Encoding.UTF8.GetBytes($$"""[{"Config":"config.json","RepoTags":["cb/zstd:1"],"Layers":["{{layerName}}"]}]"""));
        }
        using var storeDirectory = new TempDirectory("cb-dockerarchive-store");

        var image = Assert.Single(await BaseSources.ResolveAsync($"docker-archive:{archive}", new ContentStore(storeDirectory.Path)));

        // A Docker manifest cannot describe zstd: the layer is gzipped, and unpacks to the tar the config names.
        var layer = Assert.Single(image.Layers);
        Assert.Equal(MediaTypes.DockerLayerGzip, layer.Descriptor.MediaType);
        Assert.Equal(diffId, Assert.Single(image.Config.DiffIds));
        await using var gunzip = new GZipStream(File.OpenRead(await layer.GetFileAsync(CancellationToken.None)), CompressionMode.Decompress);
        Assert.Equal(diffId.Hex, Convert.ToHexStringLower(await SHA256.HashDataAsync(gunzip)));
    }

    [Fact]
    public void A_docker_archive_reference_keeps_the_colons_of_its_name()
    {
        var location = Assert.IsType<DockerArchiveLocation>(BaseImageLocation.Parse("docker-archive:out/app.tar:registry.example.com:5000/team/app:1.2"));
        Assert.Equal(Path.GetFullPath("out/app.tar"), location.File);
        Assert.Equal("registry.example.com:5000/team/app:1.2", location.Name);
        Assert.Null(Assert.IsType<DockerArchiveLocation>(BaseImageLocation.Parse("docker-archive:/saved.tar")).Name);
        Assert.Throws<InvalidReferenceException>(() => BaseImageLocation.Parse("docker-archive:/saved.tar:"));
    }
}
