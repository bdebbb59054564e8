using System.Text.Json.Nodes;
using Containers.Build.Model;
using Containers.Build.Publishing;
using Containers.Build.Publishing.Destinations;
using Containers.Build.Registry;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Publishing;

/// <summary>
/// The whole publish — base resolution through mirrors, layers, composition, the registry destination and the
/// file destinations — against in-memory registries that speak the distribution API, with no environment.
/// </summary>
public sealed class ImagePublisherTests : IDisposable
{
    private readonly InMemoryRegistry _registry = new("127.0.0.1:5999");
    private readonly InMemoryRegistry _other = new("127.0.0.1:5998");
    private readonly TempDirectory _work = new("cb-publisher");
    private readonly List<PublishWarning> _warnings = [];

    public ImagePublisherTests()
    {
        _work.WriteFile("publish/App.dll", "the app");
        _work.WriteFile("publish/App.deps.json", MinimalDepsJson.For("linux-x64"));
    }

    public void Dispose() => _work.Dispose();

    private ImageRequestParser.Inputs Inputs(string baseImage, string? registry = null) => new()
    {
        BaseImage = baseImage,
        Registry = registry ?? _registry.Host,
        AssemblyName = "App",
        Repository = "team/app",
        ImageTags = "1.0;latest",
        PublishDirectory = _work.Combine("publish"),
        ContentStoreDirectory = _work.Combine("store"),
        AppCommand = ["dotnet", "/app/App.dll"],
        SourceDateEpoch = "1700000000",
        FactsPath = _work.Combine("facts.json"),
    };

    private async Task<PublishOutcome> PublishAsync(ImageRequestParser.Inputs inputs, Func<string, string?>? environment = null)
    {
        var request = ImageRequestParser.Parse(inputs, _ => { });
        using var clients = new RegistryClientFactory(new HostRouter(_registry, _other), environment ?? InMemoryRegistry.Environment()) { Retry = RetryPolicy.None };
        return await new ImagePublisher(clients, _warnings.Add).PublishAsync(request, CancellationToken.None);
    }

    [Fact]
    public async Task Base_layers_in_the_same_registry_are_mounted_and_only_the_app_is_uploaded()
    {
        var (_, baseLayers) = SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0");

        var outcome = await PublishAsync(Inputs($"{_registry.Host}/dotnet/aspnet:10.0"));

        var image = Assert.Single(outcome.Images.Images);
        var pushed = _registry.GetManifest("team/app", "latest")!;
        Assert.Equal(image.Manifest.Bytes, pushed.Bytes);
        Assert.Equal(image.Digest, _registry.GetManifest("team/app", "1.0")!.Digest);
        Assert.Equal([baseLayers[0].Digest, image.Layers[1].Descriptor.Digest], image.Manifest.Layers.Select(l => l.Digest));
        Assert.True(_registry.BlobsIn("team/app").IsSupersetOf([baseLayers[0].Digest, image.Config.Digest, image.Layers[1].Descriptor.Digest]));
        Assert.Equal(1, _registry.Count("POST", @"team/app/blobs/uploads/\?mount=" + baseLayers[0].Digest));
        Assert.Equal(0, _registry.Count("GET", "blobs/" + baseLayers[0].Digest));
        var result = Assert.Single(outcome.Destinations);
        Assert.Equal(DestinationKinds.Registry, result.Kind);
        Assert.Matches(@"^Pushed 127\.0\.0\.1:5999/team/app:1\.0,latest@sha256:\w+ — 2 layers \(base \d+ B mounted, app [\d.]+ \w+ uploaded\); 0 of 1 app layers reused from the cache; uploaded 2 blobs", result.Summary);
        Assert.Equal(["127.0.0.1:5999/team/app:1.0", "127.0.0.1:5999/team/app:latest"], result.Names);
        var facts = JsonNode.Parse(File.ReadAllText(_work.Combine("facts.json")))!;
        Assert.Equal(image.Digest.ToString(), facts["manifestDigest"]!.GetValue<string>());
        Assert.Equal("registry", facts["destinations"]![0]!["kind"]!.GetValue<string>());

        // A republish with no change: the layer comes from the cache, nothing is uploaded and no tag is put.
        _registry.ClearRequests();
        var again = await PublishAsync(Inputs($"{_registry.Host}/dotnet/aspnet:10.0"));
        Assert.Equal(image.Digest, again.Images.Digest);
        Assert.Equal(0, _registry.Count("POST", "blobs/uploads"));
        Assert.Equal(0, _registry.Count("PUT", "manifests"));
        Assert.Contains("1 of 1 app layers reused from the cache", again.Destinations[0].Summary, StringComparison.Ordinal);
        Assert.Contains("tags already pointed at it", again.Destinations[0].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deps_json_that_does_not_read_stops_the_publish_before_anything_is_sent_and_the_sbom_is_the_one_read_early()
    {
        SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0");
        _work.WriteFile("publish/App.deps.json", """
            {"runtimeTarget":{"name":".NETCoreApp,Version=v10.0/linux-x64"},
             "targets":{".NETCoreApp,Version=v10.0/linux-x64":{"App/1.0.0":{"dependencies":{"Serilog":"4.0.0"}},"Serilog/4.0.0":{}}},
             "libraries":{"App/1.0.0":{"type":"project"},"Serilog/4.0.0":{"type":"package","sha512":"sha512-AAAA"}}}
            """);
        var outcome = await PublishAsync(Inputs($"{_registry.Host}/dotnet/aspnet:10.0"));
        // The SBOM the publish made from the build graph it read while the layers were written is the one read after.
        var sbom = outcome.Images.Attachments.Single(a => a.Kind == Containers.Build.Images.AttachmentKind.Sbom);
        var input = new Containers.Build.SupplyChain.SbomInput(new("App", "1.0.0"), new(_registry.Host + "/team/app", outcome.Images.Images[0].Digest, Platform.LinuxAmd64,
            DateTimeOffset.FromUnixTimeSeconds(1700000000)), _work.Combine("publish/App.deps.json"), _work.Combine("publish/App.runtimeconfig.json"), null,
            new(_registry.Host + "/dotnet/aspnet:10.0", outcome.Images.Images[0].Base.ResolvedDigest, false), outcome.Images.Images[0].Base.Config.Environment);
        Assert.Equal(Containers.Build.SupplyChain.SpdxDocument.Write(input), sbom.Content);
        Assert.Contains("pkg:nuget/Serilog@4.0.0", System.Text.Encoding.UTF8.GetString(sbom.Content), StringComparison.Ordinal);

        _work.WriteFile("publish/App.deps.json", "{ not json");
        _work.WriteFile("publish/App.dll", "the app, changed");
        _registry.ClearRequests();
        var error = await Assert.ThrowsAsync<Containers.Build.SupplyChain.SbomSourceException>(() => PublishAsync(Inputs($"{_registry.Host}/dotnet/aspnet:10.0")));

        Assert.Equal(DiagnosticCodes.SbomSourceUnreadable, ErrorBoundary.Diagnose(error, new ErrorBoundary.Context(null, null, false)).Code);
        Assert.Equal(0, _registry.Count("PUT", "."));
        Assert.Equal(0, _registry.Count("POST", "."));
    }

    [Fact]
    public async Task A_base_in_another_registry_is_fetched_once_verified_and_sent_to_every_destination()
    {
        var (_, baseLayers) = SeededBaseImage.Put(_other, "dotnet/aspnet", "10.0");
        var inputs = Inputs($"{_other.Host}/dotnet/aspnet:10.0") with
        {
            ArchiveOutputPath = _work.Combine("out", "app.tar"),
            OciLayoutPath = _work.Combine("out", "layout"),
        };

        var outcome = await PublishAsync(inputs);

        var image = Assert.Single(outcome.Images.Images);
        Assert.Equal(image.Digest, _registry.GetManifest("team/app", "latest")!.Digest);
        // No mount across registries: the layer is read from its registry once, then uploaded, archived and laid out.
        Assert.Equal(0, _registry.Count("POST", "mount="));
        Assert.Equal(1, _other.Count("GET", "blobs/" + baseLayers[0].Digest));
        Assert.Equal(_other.GetBlob(baseLayers[0].Digest), _registry.GetBlob(baseLayers[0].Digest));
        Assert.Equal(_other.GetBlob(baseLayers[0].Digest), File.ReadAllBytes(_work.Combine("out", "layout", "blobs", "sha256", baseLayers[0].Digest.Hex)));
        Assert.Equal([DestinationKinds.Registry, DestinationKinds.DockerArchive, DestinationKinds.OciLayout], outcome.Destinations.Select(d => d.Kind));
        Assert.True(File.Exists(_work.Combine("out", "app.tar.json")));
        Assert.True(File.Exists(_work.Combine("out", "layout.json")));
        var archived = NamesIn(_work.Combine("out", "app.tar"));
        Assert.Contains($"blobs/sha256/{baseLayers[0].Digest.Hex}", archived);
        Assert.Contains("manifest.json", archived);
        Assert.DoesNotContain(Directory.GetFiles(_work.Combine("out"), "*.tmp", SearchOption.AllDirectories), _ => true);
    }

    private static List<string> NamesIn(string tar)
    {
        using var reader = new System.Formats.Tar.TarReader(File.OpenRead(tar));
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
        }
        return names;
    }

    [Fact]
    public async Task A_corrupted_base_layer_is_refused_before_any_destination_has_it()
    {
        var (_, baseLayers) = SeededBaseImage.Put(_other, "dotnet/aspnet", "10.0");
        _other.CorruptBlob(baseLayers[0].Digest, "tampered"u8.ToArray());

        var error = await Assert.ThrowsAsync<BlobDigestMismatchException>(() => PublishAsync(Inputs($"{_other.Host}/dotnet/aspnet:10.0")));

        Assert.Contains("does not match", error.Message, StringComparison.Ordinal);
        // The base is bad (CB2006), not the push refused (CB2005).
        Assert.Equal(Containers.Build.Tasks.DiagnosticCodes.BaseImageUnreadable, Containers.Build.Tasks.ErrorBoundary.Diagnose(error, new(null, null, false)).Code);
        Assert.Empty(_registry.Tags("team/app"));
        Assert.DoesNotContain(baseLayers[0].Digest, _registry.BlobsIn("team/app"));
    }

    [Fact]
    public async Task Several_platforms_push_each_manifest_by_digest_then_one_index_and_the_platform_tags()
    {
        SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0", "amd64", "arm64");
        _work.WriteFile("arm64/App.dll", "the app");
        _work.WriteFile("arm64/App.deps.json", MinimalDepsJson.For("linux-arm64"));
        var inputs = Inputs($"{_registry.Host}/dotnet/aspnet:10.0") with
        {
            PublishDirectory = null,
            PlatformTags = true,
            Platforms =
            [
                new PlatformInput("linux-x64", _work.Combine("publish"), [], []),
                new PlatformInput("linux-arm64", _work.Combine("arm64"), [], []),
            ],
        };

        var outcome = await PublishAsync(inputs);

        var index = Assert.IsType<ImageIndex>(outcome.Images.Index);
        Assert.Equal(index.Bytes, _registry.GetManifest("team/app", "latest")!.Bytes);
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], outcome.Images.Images.Select(i => i.Platform.ToString()));
        foreach (var (image, rid) in outcome.Images.Images.Zip(["linux-x64", "linux-arm64"]))
        {
            Assert.Equal(image.Manifest.Bytes, _registry.GetManifest("team/app", image.Digest.ToString())!.Bytes);
            Assert.Equal(image.Digest, _registry.GetManifest("team/app", $"latest-{rid}")!.Digest);
        }
        // App.dll is the same on both platforms: one shared layer, uploaded once; deps.json differs.
        var shared = outcome.Images.Images[0].Layers.Select(l => l.Descriptor.Digest).Intersect(outcome.Images.Images[1].Layers.Select(l => l.Descriptor.Digest)).ToArray();
        Assert.Single(shared);
        Assert.Equal(1, _registry.Count("PUT", "blobs/uploads/.*" + shared[0].Hex));
        Assert.Contains("an index of 2 platform images (also tagged 1.0-linux-x64, latest-linux-x64, 1.0-linux-arm64, latest-linux-arm64)", outcome.Destinations[0].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_base_is_read_through_a_mirror_and_the_registry_it_stands_for_is_never_asked()
    {
        SeededBaseImage.Put(_other, "dotnet/aspnet", "10.0");
        var inputs = Inputs("127.0.0.1:5997/dotnet/aspnet:10.0") with { RegistryMirrors = [("127.0.0.1:5997", _other.Host)] };

        var outcome = await PublishAsync(inputs);

        Assert.Equal(outcome.Images.Digest, _registry.GetManifest("team/app", "latest")!.Digest);
        Assert.True(_other.Count("GET", "manifests/10.0") >= 1);
        // The image names its base as the user did, not by the mirror.
        var labels = JsonNode.Parse(outcome.Images.Images[0].Config.Bytes)!["config"]!["Labels"];
        Assert.Null(labels?["org.opencontainers.image.base.name"]);
        Assert.Equal("127.0.0.1:5997/dotnet/aspnet:10.0", outcome.Images.Images[0].Base.Reference!.ToString());
    }

    [Fact]
    public async Task Pushing_to_a_registry_with_bearer_tokens_uses_the_credentials_only_for_its_token_service()
    {
        var secured = new InMemoryRegistry("127.0.0.1:5996") { Auth = new InMemoryRegistryAuth.Bearer("ci", "s3cret") };
        SeededBaseImage.Put(secured, "dotnet/aspnet", "10.0");
        var request = ImageRequestParser.Parse(Inputs($"{secured.Host}/dotnet/aspnet:10.0", secured.Host), _ => { });
        using var clients = new RegistryClientFactory(new HostRouter(secured), InMemoryRegistry.Environment("ci", "s3cret")) { Retry = RetryPolicy.None };

        var outcome = await new ImagePublisher(clients, _warnings.Add).PublishAsync(request, CancellationToken.None);

        Assert.Equal(outcome.Images.Digest, secured.GetManifest("team/app", "latest")!.Digest);
        Assert.All(secured.Requests.Where(r => r.AuthorizationScheme == "Basic"), r => Assert.StartsWith("/token", r.Path, StringComparison.Ordinal));
        Assert.Contains(secured.Requests, r => r.AuthorizationScheme == "Bearer");
    }

    [Fact]
    public async Task Files_that_look_like_secrets_are_a_warning_not_an_error()
    {
        SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0");
        _work.WriteFile("publish/server.pfx", "not really a key");

        await PublishAsync(Inputs($"{_registry.Host}/dotnet/aspnet:10.0"));

        var warning = Assert.IsType<SecretLookingFilesWarning>(Assert.Single(_warnings));
        Assert.Equal(["/app/server.pfx"], warning.Files);
        Assert.Equal(DiagnosticCodes.SecretLookingFile, ErrorBoundary.Describe(warning).Code);
    }

    /// <summary>
    /// The files are judged as they are read for the layers: so too when the layers come from the store, or are found in the
    /// registry by key (a fresh runner). A ContainerFile item is named on purpose and never judged.
    /// </summary>
    [Fact]
    public async Task Files_that_look_like_secrets_are_found_however_the_layers_are_had()
    {
        SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0");
        _work.WriteFile("publish/appsettings.json", """{"Smtp":{"Password":"hunter2"}}""");
        var deployKey = _work.WriteFile("deploy/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----");
        var inputs = Inputs($"{_registry.Host}/dotnet/aspnet:10.0") with
        {
            ContainerFiles = [new("deploy/id_rsa", deployKey, "/home/app/.ssh/", null, "id_rsa", null, null)],
        };

        var written = await PublishAsync(inputs);
        var fromStore = await PublishAsync(inputs);
        var foundInRegistry = await PublishAsync(inputs with { ContentStoreDirectory = _work.Combine("fresh-runner-store") });

        Assert.Equal(3, _warnings.Count);
        Assert.All(_warnings, w => Assert.Equal(["/app/appsettings.json"], Assert.IsType<SecretLookingFilesWarning>(w).Files));
        Assert.Equal(fromStore.Layers.NewLayers.Count, fromStore.Layers.FromCache);
        Assert.True(foundInRegistry.Layers.FoundByKey > 0);
        Assert.Equal(written.Images.Digest, foundInRegistry.Images.Digest);
    }

    [Theory]
    [InlineData("layout")]
    [InlineData("registry")]
    public async Task A_cached_layer_whose_bytes_rotted_is_made_again_and_never_shipped(string destination)
    {
        SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0");
        var first = await PublishAsync(Inputs($"{_registry.Host}/dotnet/aspnet:10.0") with { Registry = "", OciLayoutPath = _work.Combine("first") });
        var app = Assert.IsType<Containers.Build.Images.LocalLayer>(first.Images.Images[0].Layers[^1]);
        // A flipped byte, same size: the cache record still matches the blob's size.
        var blob = File.ReadAllBytes(app.Layer.BlobPath!);
        blob[blob.Length / 2] ^= 0xFF;
        File.WriteAllBytes(app.Layer.BlobPath!, blob);

        var inputs = destination == "layout"
            ? Inputs($"{_registry.Host}/dotnet/aspnet:10.0") with { Registry = "", OciLayoutPath = _work.Combine("second") }
            : Inputs($"{_registry.Host}/dotnet/aspnet:10.0") with { Repository = "team/other" };
        var second = await PublishAsync(inputs);

        Assert.Equal(first.Images.Digest, second.Images.Digest);
        var warning = Assert.IsType<CorruptLayerRemadeWarning>(Assert.Single(_warnings));
        Assert.Equal(app.Descriptor.Digest, warning.Layer);
        Assert.Equal(DiagnosticCodes.CorruptLayerRemade, ErrorBoundary.Describe(warning).Code);
        Assert.Equal(app.Descriptor.Digest, Digest.Compute(File.ReadAllBytes(app.Layer.BlobPath!)));
        var shipped = destination == "layout"
            ? File.ReadAllBytes(_work.Combine("second", "blobs", "sha256", app.Descriptor.Digest.Hex))
            : _registry.GetBlob(app.Descriptor.Digest)!;
        Assert.Equal(app.Descriptor.Digest, Digest.Compute(shipped));
        if (destination == "registry")
        {
            Assert.Equal(second.Images.Digest, _registry.GetManifest("team/other", "latest")!.Digest);
        }
    }
}
