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
/// ContainerBaseImage=oci-archive:PATH[:TAG]: a tar of an OCI layout (skopeo's, and gzipped), read without
/// unpacking: only the layers the image needs end up in the content store, each checked against its digest.
/// </summary>
public class OciArchiveSourceTests
{
    private static readonly Lazy<Task<string>> SharedArchive = new(async () =>
    {
        var root = BaseSources.NewFolder("cb-oci-archives");
        var archive = Path.Combine(root, "runtime-deps.tar");
        var amd64 = $"docker://{TestEnvironment.Registry}/dotnet/runtime-deps:10.0-amd64";
        await BaseSources.CopyAsync(amd64, $"oci-archive:{archive}:10.0");
        return archive;
    });

    private static async Task AssertLayersStoredAsync(BaseImage image, TempDirectory storeDirectory)
    {
        Assert.NotEmpty(image.Layers);
        foreach (var layer in image.Layers)
        {
            var file = await layer.GetFileAsync(CancellationToken.None);
            Assert.StartsWith(storeDirectory.Path, file, StringComparison.Ordinal);
            Assert.Equal(layer.Descriptor.Digest.Hex, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))));
        }
    }

    [IntegrationFact]
    public async Task A_skopeo_archive_resolves_to_its_manifest_and_only_its_layers_are_stored()
    {
        var archive = await SharedArchive.Value;
        using var storeDirectory = new TempDirectory("cb-ociarchive-store");
        var written = $"oci-archive:{archive}:10.0";

        var image = Assert.Single(await BaseSources.ResolveAsync(written, new ContentStore(storeDirectory.Path)));

        var digest = (await TestEnvironment.SkopeoAsync("inspect", "--format", "{{.Digest}}", written)).Output.Trim();
        Assert.Equal(digest, image.ResolvedDigest.ToString());
        Assert.Equal(written, image.Name);
        Assert.All(image.Layers, layer => Assert.Null(layer.MountSource));
        // The layers were copied in by the resolve itself (one pass over the tar); nothing else (no config, no manifest).
        var stored = Directory.GetFiles(Path.Combine(storeDirectory.Path, "blobs", "sha256")).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(image.Layers.Select(l => l.Descriptor.Digest.Hex).Order().ToArray(), stored);
        await AssertLayersStoredAsync(image, storeDirectory);

        // Without the tag: the archive holds one image.
        Assert.Equal(image.ResolvedDigest, Assert.Single(await BaseSources.ResolveAsync($"oci-archive:{archive}", new ContentStore(storeDirectory.Path))).ResolvedDigest);
    }

    [IntegrationFact]
    public async Task A_gzipped_archive_is_read_the_same()
    {
        var archive = await SharedArchive.Value;
        using var directory = new TempDirectory("cb-ociarchive-gz");
        var gzipped = directory.Combine("base.tar.gz");
        await using (var input = File.OpenRead(archive))
        await using (var output = new GZipStream(File.Create(gzipped), CompressionLevel.Fastest))
        {
            await input.CopyToAsync(output);
        }
        using var storeDirectory = new TempDirectory("cb-ociarchive-store");

        var image = Assert.Single(await BaseSources.ResolveAsync($"oci-archive:{gzipped}:10.0", new ContentStore(storeDirectory.Path)));

        var plain = Assert.Single(await BaseSources.ResolveAsync($"oci-archive:{archive}:10.0", new ContentStore(directory.Combine("other-store"))));
        Assert.Equal(plain.ResolvedDigest, image.ResolvedDigest);
        await AssertLayersStoredAsync(image, storeDirectory);
    }

    [IntegrationFact]
    public async Task Missing_file_missing_tag_and_a_platform_it_lacks_are_coded_errors()
    {
        var archive = await SharedArchive.Value;
        using var storeDirectory = new TempDirectory("cb-ociarchive-store");
        var store = new ContentStore(storeDirectory.Path);

        var missing = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"oci-archive:{storeDirectory.Combine("none.tar")}", store));
        Assert.Equal(DiagnosticCodes.BaseImageFileMissing, BaseSources.Diagnose(missing, "oci-archive:x").Code);

        var tag = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"oci-archive:{archive}:9.0", store));
        Assert.Equal(DiagnosticCodes.BaseImageTagNotFound, BaseSources.Diagnose(tag, "oci-archive:x").Code);
        Assert.Equal(["10.0"], tag.Available);

        var platform = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"oci-archive:{archive}:10.0", store, new Platform("linux", "arm64")));
        Assert.Equal(DiagnosticCodes.BaseImageFilePlatformMissing, BaseSources.Diagnose(platform, "oci-archive:x").Code);
        Assert.Equal(["linux/amd64"], platform.Available);

        var notATar = storeDirectory.WriteFile("not-a.tar", "hello, this is not a tar archive at all, but it is long enough to be read as one? no." + new string('x', 600));
        var invalid = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"oci-archive:{notATar}", store));
        Assert.Equal(DiagnosticCodes.BaseImageFileInvalid, BaseSources.Diagnose(invalid, "oci-archive:x").Code);
        Assert.Empty(Directory.GetFiles(Path.Combine(storeDirectory.Path, "blobs", "sha256")));
    }

    [IntegrationFact]
    public async Task A_layer_that_does_not_match_its_digest_is_a_coded_error_and_nothing_is_stored_under_it()
    {
        var archive = await SharedArchive.Value;
        using var directory = new TempDirectory("cb-ociarchive-corrupt");
        var layout = directory.Combine("layout");
        Directory.CreateDirectory(layout);
        await TarFile.ExtractToDirectoryAsync(archive, layout, overwriteFiles: false);
        using var probeStore = new TempDirectory("cb-ociarchive-probe");
        var image = Assert.Single(await BaseSources.ResolveAsync($"oci:{layout}:10.0", new ContentStore(probeStore.Path)));
        var layer = image.Layers[^1];
        var blob = Path.Combine(layout, "blobs", "sha256", layer.Descriptor.Digest.Hex);
        var bytes = File.ReadAllBytes(blob);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(blob, bytes);
        var corrupt = directory.Combine("corrupt.tar");
        await TarFile.CreateFromDirectoryAsync(layout, corrupt, includeBaseDirectory: false);
        using var storeDirectory = new TempDirectory("cb-ociarchive-store");
        var store = new ContentStore(storeDirectory.Path);

        var mismatch = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"oci-archive:{corrupt}:10.0", store));

        Assert.Equal(BaseImageFileFailure.DigestMismatch, mismatch.Failure);
        Assert.Equal(layer.Descriptor.Digest, mismatch.Digest);
        Assert.Equal(DiagnosticCodes.BaseImageFileDigestMismatch, BaseSources.Diagnose(mismatch, "oci-archive:x").Code);
        Assert.False(store.Contains(layer.Descriptor.Digest));
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(storeDirectory.Path, "blobs", "sha256")), f => !Path.GetFileName(f).All(char.IsAsciiHexDigitLower));
    }
}
