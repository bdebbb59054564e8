using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.Publishing;
using Containers.Build.Registry;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Publishing;

/// <summary>
/// ContainerLayer items (Dockerfile's COPY --from, agents shipped as images): another image's layers above the base
/// and below the app, by digest, mounted when the destination registry holds them, copied unchanged otherwise.
/// Against in-memory registries; the real registry and podman are in the integration tests.
/// </summary>
public sealed class LayerImportTests : IDisposable
{
    private readonly InMemoryRegistry _registry = new("127.0.0.1:5999");
    private readonly InMemoryRegistry _other = new("127.0.0.1:5998");
    private readonly TempDirectory _work = new("cb-layer-import");

    public LayerImportTests()
    {
        _work.WriteFile("publish/App.dll", "the app");
        _work.WriteFile("arm64/App.dll", "the app");
        SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0", "amd64", "arm64");
    }

    public void Dispose() => _work.Dispose();

    private ImageRequestParser.Inputs Inputs(params ImageRequestParser.ContainerLayerInput[] layers) => new ImageRequestParser.Inputs
    {
        BaseImage = $"{_registry.Host}/dotnet/aspnet:10.0",
        Registry = _registry.Host,
        AssemblyName = "App",
        Repository = "team/app",
        PublishDirectory = _work.Combine("publish"),
        ContentStoreDirectory = _work.Combine("store"),
        AppCommand = ["dotnet", "/app/App.dll"],
        SourceDateEpoch = "1700000000",
        ContainerLayers = layers,
    };

    private static ImageRequestParser.Inputs TwoPlatforms(ImageRequestParser.Inputs inputs, TempDirectory work) => inputs with
    {
        PublishDirectory = null,
        Platforms =
        [
            new PlatformInput("linux-x64", work.Combine("publish"), [], []),
            new PlatformInput("linux-arm64", work.Combine("arm64"), [], []),
        ],
    };

    private async Task<PublishOutcome> PublishAsync(ImageRequestParser.Inputs inputs)
    {
        var request = ImageRequestParser.Parse(inputs, _ => { });
        using var clients = new RegistryClientFactory(new HostRouter(_registry, _other), InMemoryRegistry.Environment()) { Retry = RetryPolicy.None };
        return await new ImagePublisher(clients, _ => { }).PublishAsync(request, CancellationToken.None);
    }

    private async Task<(string Code, string Message)> FailAsync(ImageRequestParser.Inputs inputs)
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => PublishAsync(inputs));
        return ErrorBoundary.Diagnose(e, new(inputs.BaseImage, inputs.BaseImage, inputs.Platforms.Count > 0));
    }

    [Fact]
    public async Task Another_image_s_layers_go_between_the_base_and_the_app_with_their_digests_and_are_mounted_from_the_same_registry()
    {
        var (baseTop, baseLayers) = SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0-amd64");
        var (agentTop, agentLayers) = SeededBaseImage.Put(_registry, "apm/agent", "1.4");

        var outcome = await PublishAsync(Inputs(Layer($"{_registry.Host}/apm/agent:1.4", null)) with { BaseImage = $"{_registry.Host}/dotnet/aspnet:10.0-amd64" });

        var image = Assert.Single(outcome.Images.Images);
        var layers = image.Manifest.Layers.Select(l => l.Digest).ToArray();
        Assert.Equal(3, layers.Length);
        Assert.Equal(baseLayers[0].Digest, layers[0]);
        Assert.Equal(agentLayers[0].Digest, layers[1]);
        Assert.Equal(LayerOrigin.Imported, image.Layers[1].Origin);

        // The config carries the agent's diff_id for it, and the history says where it came from.
        var config = JsonNode.Parse(image.Config.Bytes)!;
        Assert.Equal(AgentDiffId(), config["rootfs"]!["diff_ids"]![1]!.GetValue<string>());
        var comment = config["history"]!.AsArray().Select(h => h!["comment"]?.GetValue<string>()).Single(c => c?.Contains("ContainerLayer", StringComparison.Ordinal) == true);
        Assert.Equal($"ContainerLayer: layer {agentLayers[0].Digest} of {_registry.Host}/apm/agent:1.4@{agentTop}", comment);

        // Mounted from apm/agent, never downloaded; the summary says so.
        Assert.Equal(1, _registry.Count("POST", @"team/app/blobs/uploads/\?mount=" + agentLayers[0].Digest));
        Assert.Equal(0, _registry.Count("GET", "blobs/" + agentLayers[0].Digest));
        Assert.Contains(agentLayers[0].Digest, _registry.BlobsIn("team/app"));
        Assert.Matches(@"3 layers \(base \d+ B mounted, imported \d+ B mounted, app [\d.]+ \w+ uploaded\)", outcome.Destinations[0].Summary);
        Assert.NotEqual(baseTop, agentTop);
    }

    [Fact]
    public async Task From_another_registry_the_layer_is_copied_byte_for_byte()
    {
        var (_, agentLayers) = SeededBaseImage.Put(_other, "apm/agent", "1.4");

        var outcome = await PublishAsync(Inputs(Layer($"{_other.Host}/apm/agent:1.4", null)) with { BaseImage = SeedSingle() });

        Assert.Equal(agentLayers[0].Digest, outcome.Images.Images[0].Manifest.Layers[1].Digest);
        Assert.Equal(_other.GetBlob(agentLayers[0].Digest), _registry.GetBlob(agentLayers[0].Digest));
        Assert.Equal(0, _registry.Count("POST", "mount=" + agentLayers[0].Digest));
        Assert.Equal(1, _other.Count("GET", "blobs/" + agentLayers[0].Digest));
    }

    [Fact]
    public async Task A_layer_another_registry_serves_corrupt_is_said_of_the_item_and_nothing_is_tagged()
    {
        var (_, agentLayers) = SeededBaseImage.Put(_other, "apm/agent", "1.4");
        _other.CorruptBlob(agentLayers[0].Digest, "tampered"u8.ToArray());
        var item = $"{_other.Host}/apm/agent:1.4";

        var (code, message) = await FailAsync(Inputs(Layer(item, null)) with { BaseImage = SeedSingle() });

        Assert.Equal(DiagnosticCodes.BaseImageUnreadable, code);
        Assert.StartsWith($"ContainerLayer '{item}': A layer of the image {item} is bad", message, StringComparison.Ordinal);
        Assert.Empty(_registry.Tags("team/app"));
        Assert.DoesNotContain(agentLayers[0].Digest, _registry.BlobsIn("team/app"));
    }

    [Fact]
    public async Task Each_platform_takes_its_layer_from_the_matching_entry_of_the_image_s_index()
    {
        var (_, agentLayers) = SeededBaseImage.Put(_registry, "apm/agent", "1.4", "amd64", "arm64");

        var outcome = await PublishAsync(TwoPlatforms(Inputs(Layer($"{_registry.Host}/apm/agent:1.4", null)), _work));

        Assert.Equal(2, outcome.Images.Images.Count);
        Assert.Equal(agentLayers[0].Digest, outcome.Images.Images[0].Manifest.Layers[1].Digest);
        Assert.Equal(agentLayers[1].Digest, outcome.Images.Images[1].Manifest.Layers[1].Digest);
    }

    [Fact]
    public async Task An_image_without_a_platform_built_is_the_base_image_code_said_of_the_item_and_nothing_is_pushed()
    {
        SeededBaseImage.Put(_registry, "apm/agent", "1.4");
        var item = $"{_registry.Host}/apm/agent:1.4";

        var (code, message) = await FailAsync(TwoPlatforms(Inputs(Layer(item, null)), _work));

        Assert.Equal(DiagnosticCodes.BaseImagePlatformMissing, code);
        Assert.StartsWith($"ContainerLayer '{item}': ", message, StringComparison.Ordinal);
        Assert.Contains("linux/arm64", message, StringComparison.Ordinal);
        Assert.DoesNotContain("base image", message, StringComparison.Ordinal);
        Assert.Empty(_registry.Tags("team/app"));
    }

    [Fact]
    public async Task A_missing_image_is_CB2001_said_of_the_item()
    {
        var item = $"{_registry.Host}/apm/never-pushed:1.4";

        var (code, message) = await FailAsync(Inputs(Layer(item, null)));

        Assert.Equal(DiagnosticCodes.BaseImageNotFound, code);
        Assert.StartsWith($"ContainerLayer '{item}': The image {item} was not found", message, StringComparison.Ordinal);
        Assert.Contains($"the Include of ContainerLayer '{item}'", message, StringComparison.Ordinal);
        Assert.Empty(_registry.Tags("team/app"));
    }

    [Fact]
    public async Task Digest_picks_one_layer_by_its_blob_digest_or_diff_id_and_a_digest_the_image_lacks_is_CB2018()
    {
        var (_, agentLayers) = SeededBaseImage.Put(_registry, "apm/agent", "1.4");
        var diffId = AgentDiffId();
        var item = $"{_registry.Host}/apm/agent:1.4";
        var single = Inputs() with { BaseImage = SeedSingle() };

        var byDigest = await PublishAsync(single with { ContainerLayers = [new(item, agentLayers[0].Digest.ToString())] });
        var byDiffId = await PublishAsync(single with { ContainerLayers = [new(item, diffId)] });
        Assert.Equal(byDigest.Images.Digest, byDiffId.Images.Digest);
        Assert.Equal(agentLayers[0].Digest, byDigest.Images.Images[0].Manifest.Layers[1].Digest);

        var absent = Digest.Compute("no such layer"u8.ToArray());
        var (code, message) = await FailAsync(single with { ContainerLayers = [new(item, absent.ToString())], ImageTags = "other" });
        Assert.Equal(DiagnosticCodes.ContainerLayerNotFound, code);
        Assert.Contains(absent.ToString(), message, StringComparison.Ordinal);
        Assert.Contains(agentLayers[0].Digest.ToString(), message, StringComparison.Ordinal);
        Assert.DoesNotContain("other", _registry.Tags("team/app"));
    }

    [Theory]
    [InlineData("oci:", null)]
    [InlineData("scratch", null)]
    [InlineData("127.0.0.1:5999/apm/agent:1.4", "sha256:abc")]
    [InlineData("127.0.0.1:5999/Apm/agent:1.4", null)]
    public void An_item_that_names_no_image_or_a_malformed_digest_is_CB1036_before_the_compile(string include, string? digest)
    {
        var e = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.CheckSettings(Inputs(Layer(include, digest)), ["linux-x64"], false, _ => { }));
        Assert.Equal(DiagnosticCodes.ContainerLayerInvalid, e.Code);
        Assert.Contains($"ContainerLayer '{include}'", e.Message, StringComparison.Ordinal);
    }

    private static ImageRequestParser.ContainerLayerInput Layer(string include, string? digest) => new(include, digest);

    private string AgentDiffId()
    {
        var manifest = JsonNode.Parse(_registry.GetManifest("apm/agent", "1.4")!.Bytes)!;
        var config = JsonNode.Parse(_registry.GetBlob(Digest.Parse(manifest["config"]!["digest"]!.GetValue<string>()))!)!;
        return config["rootfs"]!["diff_ids"]![0]!.GetValue<string>();
    }

    /// <summary>A single-platform base (the class's is an index of two).</summary>
    private string SeedSingle()
    {
        SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0-amd64");
        return $"{_registry.Host}/dotnet/aspnet:10.0-amd64";
    }
}
