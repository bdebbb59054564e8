using System.Security.Cryptography;
using System.Text.Json.Nodes;
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
/// ContainerBaseImage=oci:PATH[:TAG]: base images read from OCI image layouts that skopeo wrote from the test
/// registry (one image; every platform under one tag; two tags), through the same stage the registry path uses.
/// </summary>
public class OciLayoutSourceTests
{
    private static readonly Platform LinuxArm64 = new("linux", "arm64");

    /// <summary>The layouts, written once per test run (skopeo copies only what a layout lacks).</summary>
    private sealed record Layouts(string Single, string Multi, string TwoTags);

    private static readonly Lazy<Task<Layouts>> Shared = new(CreateLayoutsAsync);

    private static async Task<Layouts> CreateLayoutsAsync()
    {
        var root = BaseSources.NewFolder("cb-oci-layouts");
        var amd64 = $"docker://{TestEnvironment.Registry}/dotnet/runtime-deps:10.0-amd64";
        string single = Path.Combine(root, "single"), multi = Path.Combine(root, "multi"), two = Path.Combine(root, "two");
        await BaseSources.CopyAsync(amd64, $"oci:{single}:10.0");
        await BaseSources.CopyAsync($"docker://{TestEnvironment.Registry}/dotnet/runtime-deps:10.0", $"oci:{multi}:10.0", "--all");
        await BaseSources.CopyAsync(amd64, $"oci:{two}:first");
        await BaseSources.CopyAsync(amd64, $"oci:{two}:second");
        return new Layouts(single, multi, two);
    }

    private static JsonObject IndexOf(string layout) => JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!.AsObject();

    [IntegrationFact]
    public async Task A_tagged_image_resolves_to_the_layouts_manifest_and_its_layers_are_copied_into_the_store_verified()
    {
        var layouts = await Shared.Value;
        using var storeDirectory = new TempDirectory("cb-oci-store");
        var store = new ContentStore(storeDirectory.Path);
        var written = $"oci:{layouts.Single}:10.0";

        var image = Assert.Single(await BaseSources.ResolveAsync(written, store));

        var entry = IndexOf(layouts.Single)["manifests"]!.AsArray().Single()!;
        Assert.Equal(entry["digest"]!.GetValue<string>(), image.ResolvedDigest.ToString());
        Assert.Equal(image.ResolvedDigest, image.Manifest.Digest);
        Assert.Equal(written, image.Name);
        Assert.Null(image.Reference);
        Assert.Equal("amd64", image.Config.Architecture);
        Assert.Equal(image.Manifest.Layers.Count, image.Layers.Count);
        Assert.All(image.Layers, layer => Assert.Equal(LayerOrigin.Base, layer.Origin));
        Assert.All(image.Layers, layer => Assert.Null(layer.MountSource));

        foreach (var layer in image.Layers)
        {
            var file = await layer.GetFileAsync(CancellationToken.None);
            Assert.StartsWith(storeDirectory.Path, file, StringComparison.Ordinal);
            Assert.Equal(layer.Descriptor.Digest.Hex, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))));
        }
        // The generated labels name the base as written, and the manifest it resolved to.
        var labels = GeneratedLabels.For(image, new ImageSettings { GeneratedLabels = new LabelGeneration(Created: false, BaseName: true, BaseDigest: true) }).ToDictionary();
        Assert.Equal(written, labels[GeneratedLabels.BaseName]);
        Assert.Equal(image.ResolvedDigest.ToString(), labels[GeneratedLabels.BaseDigest]);
    }

    [IntegrationFact]
    public async Task The_tag_may_be_left_out_when_the_layout_holds_one_image()
    {
        var layouts = await Shared.Value;
        using var storeDirectory = new TempDirectory("cb-oci-store");

        var image = Assert.Single(await BaseSources.ResolveAsync($"oci:{layouts.Single}", new ContentStore(storeDirectory.Path)));

        Assert.Equal(IndexOf(layouts.Single)["manifests"]![0]!["digest"]!.GetValue<string>(), image.ResolvedDigest.ToString());
    }

    [IntegrationFact]
    public async Task A_layout_with_every_platform_under_one_tag_gives_each_platform_its_own_manifest()
    {
        var layouts = await Shared.Value;
        using var storeDirectory = new TempDirectory("cb-oci-store");

        var images = await BaseSources.ResolveAsync($"oci:{layouts.Multi}:10.0", new ContentStore(storeDirectory.Path), Platform.LinuxAmd64, LinuxArm64);

        Assert.Equal(2, images.Count);
        Assert.Equal("amd64", images[0].Config.Architecture);
        Assert.Equal("arm64", images[1].Config.Architecture);
        Assert.NotEqual(images[0].Manifest.Digest, images[1].Manifest.Digest);
        // base.digest is what the tag names: the index, for both.
        var indexDigest = IndexOf(layouts.Multi)["manifests"]![0]!["digest"]!.GetValue<string>();
        Assert.All(images, image => Assert.Equal(indexDigest, image.ResolvedDigest.ToString()));
    }

    [IntegrationFact]
    public async Task Missing_directory_missing_tag_and_an_ambiguous_layout_are_coded_errors_that_list_what_is_there()
    {
        var layouts = await Shared.Value;
        using var storeDirectory = new TempDirectory("cb-oci-store");
        var store = new ContentStore(storeDirectory.Path);

        var missing = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"oci:{storeDirectory.Combine("nowhere")}:10.0", store));
        Assert.Equal(BaseImageFileFailure.Missing, missing.Failure);
        Assert.Equal(DiagnosticCodes.BaseImageFileMissing, BaseSources.Diagnose(missing, "oci:x").Code);

        var notALayout = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"oci:{storeDirectory.Path}:10.0", store));
        Assert.Equal(DiagnosticCodes.BaseImageFileInvalid, BaseSources.Diagnose(notALayout, "oci:x").Code);

        var tag = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"oci:{layouts.TwoTags}:third", store));
        Assert.Equal(BaseImageFileFailure.TagNotFound, tag.Failure);
        Assert.Equal(["first", "second"], tag.Available);
        var (code, message) = BaseSources.Diagnose(tag, "oci:x");
        Assert.Equal(DiagnosticCodes.BaseImageTagNotFound, code);
        Assert.Contains("'third'", message, StringComparison.Ordinal);
        Assert.Contains("first, second", message, StringComparison.Ordinal);

        var ambiguous = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"oci:{layouts.TwoTags}", store));
        Assert.Equal(DiagnosticCodes.BaseImageTagRequired, BaseSources.Diagnose(ambiguous, "oci:x").Code);
        Assert.Contains("first, second", ambiguous.Message, StringComparison.Ordinal);

        // Either tag of the two works.
        Assert.Single(await BaseSources.ResolveAsync($"oci:{layouts.TwoTags}:second", store));
    }

    [IntegrationFact]
    public async Task A_platform_the_layout_lacks_is_a_coded_error_listing_the_platforms_it_has()
    {
        var layouts = await Shared.Value;
        using var storeDirectory = new TempDirectory("cb-oci-store");
        var store = new ContentStore(storeDirectory.Path);

        var single = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"oci:{layouts.Single}:10.0", store, LinuxArm64));
        Assert.Equal(BaseImageFileFailure.PlatformMissing, single.Failure);
        Assert.Equal(["linux/amd64"], single.Available);
        Assert.Equal(DiagnosticCodes.BaseImageFilePlatformMissing, BaseSources.Diagnose(single, "oci:x").Code);

        var multi = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"oci:{layouts.Multi}:10.0", store, new Platform("linux", "s390x")));
        Assert.Equal(BaseImageFileFailure.PlatformMissing, multi.Failure);
        Assert.Contains("linux/amd64", multi.Available);
        Assert.Contains("linux/arm64/v8", multi.Available);
    }

    [IntegrationFact]
    public async Task A_blob_that_does_not_match_its_digest_is_a_coded_error_and_nothing_is_stored_under_that_digest()
    {
        var layouts = await Shared.Value;
        using var copy = new TempDirectory("cb-oci-corrupt");
        var layout = copy.Combine("layout");
        await BaseSources.CopyAsync($"oci:{layouts.Single}:10.0", $"oci:{layout}:10.0");
        using var storeDirectory = new TempDirectory("cb-oci-store");
        var store = new ContentStore(storeDirectory.Path);
        var image = Assert.Single(await BaseSources.ResolveAsync($"oci:{layout}:10.0", store));
        var layer = image.Layers[^1];
        var blob = Path.Combine(layout, "blobs", "sha256", layer.Descriptor.Digest.Hex);
        var bytes = File.ReadAllBytes(blob);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(blob, bytes);

        var mismatch = await Assert.ThrowsAsync<BaseImageFileException>(() => layer.GetFileAsync(CancellationToken.None));

        Assert.Equal(BaseImageFileFailure.DigestMismatch, mismatch.Failure);
        Assert.Equal(layer.Descriptor.Digest, mismatch.Digest);
        Assert.Equal(DiagnosticCodes.BaseImageFileDigestMismatch, BaseSources.Diagnose(mismatch, "oci:x").Code);
        Assert.False(store.Contains(layer.Descriptor.Digest));
        // Not even a pending file is left behind.
        Assert.Empty(Directory.GetFiles(Path.Combine(storeDirectory.Path, "blobs", "sha256")));

        // A manifest changed in place is caught when the base is read.
        var manifestBlob = Path.Combine(layout, "blobs", "sha256", image.Manifest.Digest.Hex);
        File.AppendAllText(manifestBlob, " ");
        var manifest = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync($"oci:{layout}:10.0", new ContentStore(storeDirectory.Path)));
        Assert.Equal(BaseImageFileFailure.DigestMismatch, manifest.Failure);
    }

    [Fact]
    public void An_oci_reference_is_a_layout_location_and_a_registry_reference_is_unchanged()
    {
        var layout = Assert.IsType<OciLayoutLocation>(BaseImageLocation.Parse("oci:relative/dir:10.0"));
        Assert.Equal(Path.GetFullPath("relative/dir"), layout.Directory);
        Assert.Equal("10.0", layout.Tag);
        Assert.Equal("oci:relative/dir:10.0", layout.Written);
        Assert.Null(Assert.IsType<OciLayoutLocation>(BaseImageLocation.Parse("oci:/abs/dir")).Tag);

        var registry = Assert.IsType<RegistryLocation>(BaseImageLocation.Parse("localhost:5000/dotnet/aspnet:10.0"));
        Assert.Equal(ImageReference.Parse("localhost:5000/dotnet/aspnet:10.0"), registry.Reference);

        Assert.Throws<InvalidReferenceException>(() => BaseImageLocation.Parse("oci:"));
        Assert.Throws<InvalidReferenceException>(() => BaseImageLocation.Parse("oci:/dir:"));
        Assert.Equal(new EngineImageLocation("docker-daemon:app:1", "docker", "app:1"), BaseImageLocation.Parse("docker-daemon:app:1"));
        Assert.Equal(new EngineImageLocation("containers-storage:localhost:5000/app@sha256:1", "podman", "localhost:5000/app@sha256:1"), BaseImageLocation.Parse("containers-storage:localhost:5000/app@sha256:1"));
        Assert.Contains("names no image", Assert.Throws<InvalidReferenceException>(() => BaseImageLocation.Parse("containers-storage: ")).Message, StringComparison.Ordinal);
    }

}
