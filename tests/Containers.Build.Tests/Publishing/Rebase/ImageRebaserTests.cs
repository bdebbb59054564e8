using System.Text;
using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.Publishing;
using Containers.Build.Publishing.Destinations;
using Containers.Build.Publishing.Rebase;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Publishing.Rebase;

/// <summary>
/// RebaseImage's core against in-memory registries: images published by <see cref="ImagePublisher"/> on a base (so
/// their labels are the real ones), then the base's tag moved to a new version, then the rebase.
/// </summary>
public sealed class ImageRebaserTests : IDisposable
{
    private readonly InMemoryRegistry _registry = new("127.0.0.1:5999");
    private readonly InMemoryRegistry _other = new("127.0.0.1:5998");
    private readonly TempDirectory _work = new("cb-rebase");

    public ImageRebaserTests()
    {
        _work.WriteFile("publish/App.dll", "the app");
        _work.WriteFile("publish/App.deps.json", MinimalDepsJson.For("linux-x64"));
        _work.WriteFile("arm64/App.dll", "the app");
        _work.WriteFile("arm64/App.deps.json", MinimalDepsJson.For("linux-arm64"));
    }

    public void Dispose() => _work.Dispose();

    private string Aspnet => $"{_registry.Host}/dotnet/aspnet:10.0";

    /// <summary>
    /// A base version: <paramref name="layerCount"/> layers of its own content per architecture, a config whose history
    /// has an empty-layer entry too, under <paramref name="tag"/> (an OCI index when <paramref name="index"/>).
    /// </summary>
    private static (Digest Top, IReadOnlyDictionary<string, ImageManifest> Manifests) PutBase(InMemoryRegistry registry, string repository, string version, int layerCount, bool index, params string[] architectures)
    {
        var manifests = new Dictionary<string, ImageManifest>();
        foreach (var architecture in architectures)
        {
            // Each layer a real gzipped tar of one file, so the native check can list it.
            var layers = Enumerable.Range(0, layerCount).Select(i => Tar($"{version}-{i}.txt", $"{version} layer {i} for {architecture} of {repository}")).ToArray();
            var descriptors = layers.Select(tar => Gzip(tar)).Select(bytes => new Descriptor(MediaTypes.OciLayerGzip, registry.PutBlob(repository, bytes), bytes.Length)).ToArray();
            var history = new JsonArray(new JsonObject { ["created_by"] = $"ENV {version}", ["empty_layer"] = true });
            foreach (var i in Enumerable.Range(0, layerCount))
            {
                history.Add(new JsonObject { ["created_by"] = $"{version} step {i}" });
            }
            var config = JsonContent.Serialize(new JsonObject
            {
                ["architecture"] = architecture,
                ["os"] = "linux",
                ["config"] = new JsonObject { ["Env"] = new JsonArray("PATH=/usr/bin:/bin", "APP_UID=1654", $"BASE_VERSION={version}") },
                ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(layers.Select(l => (JsonNode?)Digest.Compute(l).ToString()).ToArray()) },
                ["history"] = history,
            });
            var configDescriptor = new Descriptor(MediaTypes.OciConfig, registry.PutBlob(repository, config), config.Length);
            var manifest = ImageManifest.Create(ImageFormat.Oci, configDescriptor, descriptors);
            registry.PutManifest(repository, index ? null : "10.0", manifest.Bytes, manifest.MediaType);
            manifests[architecture] = manifest;
        }
        if (!index)
        {
            return (manifests[architectures[0]].Digest, manifests);
        }
        var top = ImageIndex.Create(ImageFormat.Oci, manifests.Select(m => (m.Value, PlatformOf(m.Key))).ToArray());
        return (registry.PutManifest(repository, "10.0", top.Bytes, top.MediaType), manifests);
    }

    private static byte[] Tar(string name, string text)
    {
        using var tar = new MemoryStream();
        using (var writer = new System.Formats.Tar.TarWriter(tar, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
        }
        return tar.ToArray();
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var gzipped = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(gzipped, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }
        return gzipped.ToArray();
    }

    private static Platform PlatformOf(string architecture) => architecture == "arm64" ? new Platform("linux", "arm64", "v8") : Platform.LinuxAmd64;

    private ImageRequestParser.Inputs Inputs(string baseImage, string? tags = "1.0;latest") => new()
    {
        BaseImage = baseImage,
        Registry = _registry.Host,
        AssemblyName = "App",
        Repository = "team/app",
        ImageTags = tags,
        PublishDirectory = _work.Combine("publish"),
        ContentStoreDirectory = _work.Combine("store"),
        AppCommand = ["dotnet", "/app/App.dll"],
        SourceDateEpoch = "1700000000",
        GeneratedLabels = LabelGeneration.All,
    };

    private ImageRequestParser.Inputs TwoPlatforms(string baseImage) => Inputs(baseImage) with
    {
        PublishDirectory = null,
        Platforms =
        [
            new PlatformInput("linux-x64", _work.Combine("publish"), [], []),
            new PlatformInput("linux-arm64", _work.Combine("arm64"), [], []),
        ],
    };

    private RegistryClientFactory Clients() => new(new HostRouter(_registry, _other), InMemoryRegistry.Environment()) { Retry = RetryPolicy.None };

    private async Task<PublishOutcome> PublishAsync(ImageRequestParser.Inputs inputs)
    {
        using var clients = Clients();
        return await new ImagePublisher(clients, _ => { }).PublishAsync(ImageRequestParser.Parse(inputs, _ => { }), CancellationToken.None);
    }

    private async Task<RebaseOutcome> RebaseAsync(string image, params string[] tags)
    {
        using var clients = Clients();
        var request = new RebaseRequest(ImageReference.Parse(image), tags, _work.Combine("store"));
        return await ImageRebaser.RebaseAsync(request, clients, CancellationToken.None);
    }

    private ImageManifest ManifestOf(string repository, string reference) => ImageManifest.Parse(_registry.GetManifest(repository, reference)!.Bytes);

    private JsonObject ConfigOf(ImageManifest manifest) => (JsonObject)JsonNode.Parse(_registry.GetBlob(manifest.Config.Digest)!)!;

    private static string Diagnose(Exception e) => ErrorBoundary.Diagnose(e, new ErrorBoundary.Context(null, null, false)).Code;

    [Fact]
    public async Task A_clean_native_check_recorded_against_the_old_base_is_dropped()
    {
        // A native library that needs nothing: checked clean against any base whose layers can be listed.
        File.WriteAllBytes(_work.Combine("publish/libnothing.so"), new Containers.Build.Tests.Native.SyntheticElf { Soname = "libnothing.so" }.Build().Bytes);
        PutBase(_registry, "dotnet/aspnet", "v1", 1, false, "amd64");
        var published = await PublishAsync(Inputs(Aspnet));
        Assert.Single(Containers.Build.Native.NativeCheckRecord.ResultsIn(published.Images.Images[0].Config));
        PutBase(_registry, "dotnet/aspnet", "v2", 2, false, "amd64");

        var outcome = await RebaseAsync($"{_registry.Host}/team/app:latest", "latest");

        var config = ImageConfig.Parse(_registry.GetBlob(ManifestOf("team/app", "latest").Config.Digest)!);
        Assert.True(outcome.Rebased);
        Assert.Empty(Containers.Build.Native.NativeCheckRecord.ResultsIn(config));
    }

    [Fact]
    public async Task The_image_moves_onto_the_new_base_with_its_own_layers_and_config_unchanged_and_the_base_layers_mounted()
    {
        var (v1, v1Manifests) = PutBase(_registry, "dotnet/aspnet", "v1", 1, false, "amd64");
        var published = await PublishAsync(Inputs(Aspnet));
        var old = published.Images.Images[0];
        var (v2, v2Manifests) = PutBase(_registry, "dotnet/aspnet", "v2", 2, false, "amd64");
        _registry.ClearRequests();

        var outcome = await RebaseAsync($"{_registry.Host}/team/app:latest", "1.0", "latest");

        Assert.True(outcome.Rebased);
        Assert.NotEqual(old.Digest, outcome.NewDigest);
        Assert.Equal(old.Digest, outcome.OldDigest);
        Assert.Equal(outcome.NewDigest, _registry.GetManifest("team/app", "latest")!.Digest);
        Assert.Equal(outcome.NewDigest, _registry.GetManifest("team/app", "1.0")!.Digest);

        // The new base's layers below the image's own, which are the same descriptors.
        var manifest = ManifestOf("team/app", "latest");
        Assert.Equal(MediaTypes.OciManifest, manifest.MediaType);
        Assert.Equal(v2Manifests["amd64"].Layers, manifest.Layers.Take(2));
        Assert.Equal(old.Manifest.Layers.Skip(1), manifest.Layers.Skip(2));

        // The config: the new base's diff_ids and history, then the image's; base.digest moved; the rest as it was.
        var config = ConfigOf(manifest);
        var oldConfig = (JsonObject)JsonNode.Parse(old.Config.Bytes)!;
        var v2Config = ImageConfig.Parse(_registry.GetBlob(v2Manifests["amd64"].Config.Digest)!);
        Assert.Equal(v2Config.DiffIds.Concat(old.Config.DiffIds.Skip(1)), ImageConfig.Parse(_registry.GetBlob(manifest.Config.Digest)!).DiffIds);
        var history = config["history"]!.AsArray().Select(h => h!.ToJsonString()).ToArray();
        Assert.Equal(["{\"created_by\":\"ENV v2\",\"empty_layer\":true}", "{\"created_by\":\"v2 step 0\"}", "{\"created_by\":\"v2 step 1\"}"], history[..3]);
        Assert.Equal(oldConfig["history"]!.AsArray().Skip(2).Select(h => h!.ToJsonString()), history[3..]);
        var labels = config["config"]!["Labels"]!;
        Assert.Equal(v2.ToString(), labels[GeneratedLabels.BaseDigest]!.GetValue<string>());
        Assert.Equal(v1.ToString(), oldConfig["config"]!["Labels"]![GeneratedLabels.BaseDigest]!.GetValue<string>());
        Assert.Equal(Aspnet, labels[GeneratedLabels.BaseName]!.GetValue<string>());
        foreach (var json in new[] { config, oldConfig })
        {
            json.Remove("rootfs");
            json.Remove("history");
            ((JsonObject)json["config"]!["Labels"]!).Remove(GeneratedLabels.BaseDigest);
        }
        Assert.True(JsonNode.DeepEquals(oldConfig, config), $"{oldConfig.ToJsonString()}\n{config.ToJsonString()}");
        // Still the env the image was built with (v1's): only the layers move.
        Assert.Contains("BASE_VERSION=v1", config["config"]!["Env"]!.AsArray().Select(e => e!.GetValue<string>()));

        // Same registry: the new base's layers were mounted from its repository, never uploaded or downloaded.
        Assert.All(outcome.BaseLayers, l => Assert.Equal(BlobTransferKind.Mounted, l.Kind));
        foreach (var layer in v2Manifests["amd64"].Layers)
        {
            Assert.Equal(1, _registry.Count("POST", @"^/v2/team/app/blobs/uploads/\?mount=" + layer.Digest));
            Assert.Equal(0, _registry.Count("PUT", "blobs/uploads/.*" + layer.Digest.Hex));
            Assert.Equal(0, _registry.Count("GET", "blobs/" + layer.Digest));
        }
        Assert.Equal(0, _registry.Count("PUT", "blobs/uploads/.*" + v1Manifests["amd64"].Layers[0].Digest.Hex));
        Assert.Equal(
            $"Rebased {_registry.Host}/team/app:1.0,latest@{outcome.NewDigest} onto {Aspnet}@{v2} (was {old.Digest} on {v1}); new base layers: 2 mounted, 0 copied (0 B), 0 already in the repository; 2 SBOM and provenance referrers moved to the new digest.",
            outcome.Summary);
        var platform = Assert.Single(outcome.Platforms);
        Assert.Equal((old.Digest, outcome.NewDigest, v1, v2), (platform.OldDigest, platform.NewDigest, platform.OldBaseDigest, platform.NewBaseDigest));

        // Once more: the image is on the current base now.
        _registry.ClearRequests();
        var again = await RebaseAsync($"{_registry.Host}/team/app:latest", "latest");
        Assert.False(again.Rebased);
        Assert.Equal(outcome.NewDigest, again.NewDigest);
        Assert.Equal($"{_registry.Host}/team/app:latest@{outcome.NewDigest} is already on the current {Aspnet}@{v2}: nothing to do.", again.Summary);
        Assert.Equal(0, _registry.Count("PUT", "."));
    }

    [Fact]
    public async Task The_sbom_and_provenance_follow_the_new_digest_saying_the_new_image_and_base()
    {
        var (v1, _) = PutBase(_registry, "dotnet/aspnet", "v1", 1, false, "amd64");
        var published = await PublishAsync(Inputs(Aspnet));
        var old = published.Images.Images[0];
        var (v2, _) = PutBase(_registry, "dotnet/aspnet", "v2", 2, false, "amd64");

        var outcome = await RebaseAsync($"{_registry.Host}/team/app:latest", "latest");

        Assert.Equal(2, outcome.Referrers);
        Assert.Contains("2 SBOM and provenance referrers moved to the new digest", outcome.Summary, StringComparison.Ordinal);
        var referrers = JsonNode.Parse(_registry.GetManifest("team/app", ReferrersIndex.TagFor(outcome.NewDigest))!.Bytes)!["manifests"]!.AsArray();
        Assert.Equal([MediaTypes.SpdxJson, MediaTypes.InTotoJson], referrers.Select(r => r!["artifactType"]!.GetValue<string>()).Order());
        foreach (var referrer in referrers)
        {
            var artifact = JsonNode.Parse(_registry.GetManifest("team/app", referrer!["digest"]!.GetValue<string>())!.Bytes)!;
            Assert.Equal(outcome.NewDigest.ToString(), artifact["subject"]!["digest"]!.GetValue<string>());
            var document = System.Text.Encoding.UTF8.GetString(_registry.GetBlob(Digest.Parse(artifact["layers"]![0]!["digest"]!.GetValue<string>()))!);
            Assert.Contains(outcome.NewDigest.Hex, document, StringComparison.Ordinal);
            Assert.Contains(v2.Hex, document, StringComparison.Ordinal);
            Assert.DoesNotContain(old.Digest.Hex, document, StringComparison.Ordinal);
            Assert.DoesNotContain(v1.Hex, document, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_cyclonedx_sbom_that_follows_gets_the_new_image_s_serial_number()
    {
        PutBase(_registry, "dotnet/aspnet", "v1", 1, false, "amd64");
        await PublishAsync(Inputs(Aspnet) with { Sbom = "cyclonedx" });
        PutBase(_registry, "dotnet/aspnet", "v2", 2, false, "amd64");

        var outcome = await RebaseAsync($"{_registry.Host}/team/app:latest", "latest");

        var referrers = JsonNode.Parse(_registry.GetManifest("team/app", ReferrersIndex.TagFor(outcome.NewDigest))!.Bytes)!["manifests"]!.AsArray();
        var artifact = JsonNode.Parse(_registry.GetManifest("team/app", referrers.Single(r => r!["artifactType"]!.GetValue<string>() == MediaTypes.CycloneDxJson)!["digest"]!.GetValue<string>())!.Bytes)!;
        var bom = JsonNode.Parse(_registry.GetBlob(Digest.Parse(artifact["layers"]![0]!["digest"]!.GetValue<string>()))!)!;
        Assert.Equal(Containers.Build.SupplyChain.CycloneDxDocument.SerialNumber(outcome.NewDigest), bom["serialNumber"]!.GetValue<string>());
        Assert.NotEqual(Containers.Build.SupplyChain.CycloneDxDocument.SerialNumber(outcome.OldDigest), bom["serialNumber"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_base_that_did_not_move_sends_nothing()
    {
        PutBase(_registry, "dotnet/aspnet", "v1", 1, false, "amd64");
        var published = await PublishAsync(Inputs(Aspnet));
        _registry.ClearRequests();

        var outcome = await RebaseAsync($"{_registry.Host}/team/app:1.0", "1.0");

        Assert.False(outcome.Rebased);
        Assert.Equal(published.Images.Digest, outcome.NewDigest);
        Assert.Empty(outcome.Tags);
        Assert.Equal(0, _registry.Count("PUT", "."));
        Assert.Equal(0, _registry.Count("POST", "."));
        // The old base is not even read: the name's digest is the recorded one.
        Assert.Equal(1, _registry.Count("GET", "^/v2/dotnet/aspnet/manifests/"));
        Assert.EndsWith(": nothing to do.", outcome.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_that_does_not_record_its_base_is_CB2019()
    {
        PutBase(_registry, "dotnet/aspnet", "v1", 1, false, "amd64");
        await PublishAsync(Inputs(Aspnet) with { GeneratedLabels = LabelGeneration.None });
        PutBase(_registry, "dotnet/aspnet", "v2", 2, false, "amd64");

        var error = await Assert.ThrowsAsync<RebaseBaseUnknownException>(() => RebaseAsync($"{_registry.Host}/team/app:latest", "latest"));

        Assert.Equal(DiagnosticCodes.RebaseBaseUnknown, Diagnose(error));
        Assert.Contains("does not say which base it was built on", error.Message, StringComparison.Ordinal);
        Assert.Contains("-t:PublishImage", ErrorBoundary.Diagnose(error, new(null, null, false)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_that_is_not_there_or_a_base_from_a_file_is_CB2019()
    {
        var missing = await Assert.ThrowsAsync<RebaseImageNotFoundException>(() => RebaseAsync($"{_registry.Host}/team/app:latest", "latest"));
        Assert.Equal(DiagnosticCodes.RebaseBaseUnknown, Diagnose(missing));

        PutBase(_registry, "dotnet/aspnet", "v1", 1, false, "amd64");
        await PublishAsync(Inputs(Aspnet) with { Labels = [KeyValuePair.Create(GeneratedLabels.BaseName, "oci:/layouts/aspnet:10.0")], Annotations = [KeyValuePair.Create(GeneratedLabels.BaseName, "oci:/layouts/aspnet:10.0")] });
        var file = await Assert.ThrowsAsync<RebaseBaseUnknownException>(() => RebaseAsync($"{_registry.Host}/team/app:latest", "latest"));
        Assert.True(file.IsNotInRegistry);
        Assert.Contains("an OCI image layout directory, not an image in a registry", file.Message, StringComparison.Ordinal);
        Assert.Equal(DiagnosticCodes.RebaseBaseUnknown, Diagnose(file));
    }

    [Fact]
    public async Task An_image_whose_lowest_layers_are_not_its_old_base_is_CB2020_and_nothing_is_pushed()
    {
        var (v1, _) = PutBase(_registry, "dotnet/aspnet", "v1", 1, false, "amd64");
        PutBase(_registry, "other/base", "x", 1, false, "amd64");
        // Built on other/base, but its labels say dotnet/aspnet v1.
        await PublishAsync(Inputs($"{_registry.Host}/other/base:10.0") with
        {
            Labels = [KeyValuePair.Create(GeneratedLabels.BaseName, Aspnet), KeyValuePair.Create(GeneratedLabels.BaseDigest, v1.ToString())],
            // The manifest's annotations say the same (a project's own annotations win over the generated ones).
            Annotations = [KeyValuePair.Create(GeneratedLabels.BaseName, Aspnet), KeyValuePair.Create(GeneratedLabels.BaseDigest, v1.ToString())],
        });
        PutBase(_registry, "dotnet/aspnet", "v2", 2, false, "amd64");
        var before = _registry.GetManifest("team/app", "latest")!.Digest;
        _registry.ClearRequests();

        var error = await Assert.ThrowsAsync<RebaseBaseNotPrefixException>(() => RebaseAsync($"{_registry.Host}/team/app:latest", "latest"));

        Assert.Equal(DiagnosticCodes.RebaseBaseNotPrefix, Diagnose(error));
        Assert.Contains($"is not built on the base it records, {Aspnet}@{v1}: the image's layer 0 is sha256:", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _registry.GetManifest("team/app", "latest")!.Digest);
        Assert.Equal(0, _registry.Count("PUT", "."));
        Assert.Equal(0, _registry.Count("POST", "."));
    }

    [Fact]
    public async Task An_old_base_gone_from_its_registry_is_CB2020()
    {
        PutBase(_registry, "dotnet/aspnet", "v1", 1, false, "amd64");
        var gone = Digest.Compute("a base that was deleted"u8);
        await PublishAsync(Inputs(Aspnet) with { Labels = [KeyValuePair.Create(GeneratedLabels.BaseDigest, gone.ToString())], Annotations = [KeyValuePair.Create(GeneratedLabels.BaseDigest, gone.ToString())] });

        var error = await Assert.ThrowsAsync<RebaseOldBaseGoneException>(() => RebaseAsync($"{_registry.Host}/team/app:latest", "latest"));

        Assert.Equal(DiagnosticCodes.RebaseBaseNotPrefix, Diagnose(error));
        Assert.Contains($"The old base {gone} of the image", error.Message, StringComparison.Ordinal);
        Assert.Contains("is gone from its registry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multi_platform_image_gets_every_platform_rebased_and_a_new_index()
    {
        var (v1, _) = PutBase(_registry, "dotnet/aspnet", "v1", 1, true, "amd64", "arm64");
        var published = await PublishAsync(TwoPlatforms(Aspnet));
        var oldIndex = ImageIndex.Parse(_registry.GetManifest("team/app", "latest")!.Bytes);
        var (v2, v2Manifests) = PutBase(_registry, "dotnet/aspnet", "v2", 2, true, "amd64", "arm64");

        var outcome = await RebaseAsync($"{_registry.Host}/team/app:latest", "latest");

        Assert.True(outcome.IsIndex);
        Assert.All(outcome.Platforms, p => Assert.True(p.BaseMoved));
        var index = ImageIndex.Parse(_registry.GetManifest("team/app", "latest")!.Bytes);
        Assert.Equal(outcome.NewDigest, index.Digest);
        Assert.Equal(oldIndex.MediaType, index.MediaType);
        Assert.Equal(oldIndex.Platforms, index.Platforms);
        foreach (var (entry, architecture) in index.Manifests.Zip(["amd64", "arm64"]))
        {
            var manifest = ManifestOf("team/app", entry.Digest.ToString());
            var old = published.Images.Images.Single(i => i.Platform.Architecture == architecture);
            Assert.Equal(v2Manifests[architecture].Layers, manifest.Layers.Take(2));
            Assert.Equal(old.Manifest.Layers.Skip(1), manifest.Layers.Skip(2));
            Assert.Equal(v2.ToString(), ConfigOf(manifest)["config"]!["Labels"]![GeneratedLabels.BaseDigest]!.GetValue<string>());
            Assert.Equal(architecture, ConfigOf(manifest)["architecture"]!.GetValue<string>());
        }
        Assert.Contains($"onto {Aspnet}@{v2} (was {oldIndex.Digest} on {v1}) — 2 of 2 platform images rebased;", outcome.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_an_index_only_the_platforms_whose_base_moved_are_rebased()
    {
        PutBase(_registry, "dotnet/aspnet", "v1", 1, false, "amd64");
        PutBase(_registry, "dotnet/runtime", "r1", 1, false, "arm64");
        var amd64 = (await PublishAsync(Inputs(Aspnet, "amd64"))).Images.Images[0];
        var arm64 = (await PublishAsync(Inputs($"{_registry.Host}/dotnet/runtime:10.0", "arm64") with
        {
            PublishDirectory = _work.Combine("arm64"),
            RuntimeIdentifier = "linux-arm64",
        })).Images.Images[0];
        var assembled = ImageIndex.Create(ImageFormat.Oci, [(amd64.Manifest, amd64.Platform), (arm64.Manifest, arm64.Platform)]);
        _registry.PutManifest("team/app", "multi", assembled.Bytes, assembled.MediaType);
        var (v2, _) = PutBase(_registry, "dotnet/aspnet", "v2", 2, false, "amd64");

        var outcome = await RebaseAsync($"{_registry.Host}/team/app:multi", "multi");

        Assert.Equal([true, false], outcome.Platforms.Select(p => p.BaseMoved));
        var index = ImageIndex.Parse(_registry.GetManifest("team/app", "multi")!.Bytes);
        Assert.Equal(outcome.Platforms[0].NewDigest, index.Manifests[0].Digest);
        Assert.NotEqual(amd64.Digest, index.Manifests[0].Digest);
        Assert.Equal(assembled.Manifests[1], index.Manifests[1]);
        Assert.Equal(v2.ToString(), ConfigOf(ManifestOf("team/app", index.Manifests[0].Digest.ToString()))["config"]!["Labels"]![GeneratedLabels.BaseDigest]!.GetValue<string>());
        Assert.Contains("— 1 of 2 platform images rebased", outcome.Summary, StringComparison.Ordinal);
        Assert.Contains(outcome.Details, d => d.StartsWith("linux/arm64/v8: its base 127.0.0.1:5999/dotnet/runtime:10.0 did not move", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_new_base_without_one_of_the_platforms_is_CB2002_and_no_tag_moves()
    {
        PutBase(_registry, "dotnet/aspnet", "v1", 1, true, "amd64", "arm64");
        var published = await PublishAsync(TwoPlatforms(Aspnet));
        PutBase(_registry, "dotnet/aspnet", "v2", 2, true, "amd64");
        _registry.ClearRequests();

        var error = await Assert.ThrowsAsync<PlatformNotFoundException>(() => RebaseAsync($"{_registry.Host}/team/app:latest", "latest", "1.0"));

        Assert.Equal(DiagnosticCodes.BaseImagePlatformMissing, Diagnose(error));
        Assert.Equal(published.Images.Digest, _registry.GetManifest("team/app", "latest")!.Digest);
        Assert.Equal(published.Images.Digest, _registry.GetManifest("team/app", "1.0")!.Digest);
        Assert.Equal(0, _registry.Count("PUT", "."));
        Assert.Equal(0, _registry.Count("POST", "."));
    }

    [Fact]
    public async Task A_base_in_another_registry_has_its_new_layers_copied_as_they_are()
    {
        PutBase(_other, "dotnet/aspnet", "v1", 1, false, "amd64");
        await PublishAsync(Inputs($"{_other.Host}/dotnet/aspnet:10.0"));
        var (_, v2Manifests) = PutBase(_other, "dotnet/aspnet", "v2", 2, false, "amd64");
        _registry.ClearRequests();

        var outcome = await RebaseAsync($"{_registry.Host}/team/app:latest", "latest");

        Assert.All(outcome.BaseLayers, l => Assert.Equal(BlobTransferKind.Uploaded, l.Kind));
        Assert.Equal(0, _registry.Count("POST", "mount="));
        foreach (var layer in v2Manifests["amd64"].Layers)
        {
            Assert.Equal(1, _other.Count("GET", "blobs/" + layer.Digest));
            Assert.Equal(_other.GetBlob(layer.Digest), _registry.GetBlob(layer.Digest));
            Assert.Contains(layer.Digest, _registry.BlobsIn("team/app"));
        }
        Assert.Equal(v2Manifests["amd64"].Layers, ManifestOf("team/app", "latest").Layers.Take(2));
    }

    [Fact]
    public async Task The_base_recorded_in_manifest_annotations_is_read_and_updated_there()
    {
        var (v1, _) = PutBase(_registry, "dotnet/aspnet", "v1", 1, false, "amd64");
        var published = await PublishAsync(Inputs(Aspnet) with { GeneratedLabels = LabelGeneration.None });
        // A manifest that records its base in annotations only, as the lead's manifests will.
        var json = (JsonObject)JsonNode.Parse(published.Images.Images[0].Manifest.Bytes)!;
        json["annotations"] = new JsonObject { [GeneratedLabels.BaseName] = Aspnet, [GeneratedLabels.BaseDigest] = v1.ToString(), ["org.example.kept"] = "yes" };
        _registry.PutManifest("team/app", "annotated", JsonContent.Serialize(json), MediaTypes.OciManifest);
        var (v2, _) = PutBase(_registry, "dotnet/aspnet", "v2", 2, false, "amd64");

        var outcome = await RebaseAsync($"{_registry.Host}/team/app:annotated", "annotated");

        Assert.True(outcome.Rebased);
        var manifest = JsonNode.Parse(_registry.GetManifest("team/app", "annotated")!.Bytes)!;
        Assert.Equal(v2.ToString(), manifest["annotations"]![GeneratedLabels.BaseDigest]!.GetValue<string>());
        Assert.Equal(Aspnet, manifest["annotations"]![GeneratedLabels.BaseName]!.GetValue<string>());
        Assert.Equal("yes", manifest["annotations"]!["org.example.kept"]!.GetValue<string>());
        // No label is added where the image had none.
        Assert.Null(ConfigOf(ManifestOf("team/app", "annotated"))["config"]!["Labels"]?[GeneratedLabels.BaseDigest]);
    }

    [Fact]
    public async Task An_image_named_by_digest_without_tags_is_pushed_by_digest_only()
    {
        PutBase(_registry, "dotnet/aspnet", "v1", 1, false, "amd64");
        var published = await PublishAsync(Inputs(Aspnet));
        PutBase(_registry, "dotnet/aspnet", "v2", 2, false, "amd64");

        var outcome = await RebaseAsync($"{_registry.Host}/team/app@{published.Images.Digest}");

        Assert.True(outcome.Rebased);
        Assert.NotNull(_registry.GetManifest("team/app", outcome.NewDigest.ToString()));
        Assert.Equal(published.Images.Digest, _registry.GetManifest("team/app", "latest")!.Digest);
        Assert.Equal([$"{_registry.Host}/team/app@{outcome.NewDigest}"], outcome.Names);
        Assert.Contains("; pushed by digest only, no tag moved;", outcome.Summary, StringComparison.Ordinal);
    }
}
