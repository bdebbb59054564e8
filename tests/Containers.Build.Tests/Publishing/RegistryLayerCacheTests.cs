using System.Net;
using System.Text;
using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Publishing;
using Containers.Build.Registry;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Publishing;

/// <summary>
/// A fresh runner (an empty content store) publishing to a registry that already holds the image: the app layers are
/// found there by their input keys, recorded in the image's history, and neither written nor uploaded.
/// </summary>
public sealed class RegistryLayerCacheTests : IDisposable
{
    private readonly InMemoryRegistry _registry = new("127.0.0.1:5999");
    private readonly TempDirectory _work = new("cb-registry-cache");
    private readonly List<PublishWarning> _warnings = [];
    private readonly List<string> _notes = [];

    public RegistryLayerCacheTests()
    {
        _work.WriteFile("publish/App.dll", "the app");
        _work.WriteFile("publish/Serilog.dll", "a package");
        _work.WriteFile("publish/App.deps.json", MinimalDepsJson.For("linux-x64"));
        SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0");
    }

    public void Dispose() => _work.Dispose();

    private ImageRequestParser.Inputs Inputs(string store) => new()
    {
        BaseImage = $"{_registry.Host}/dotnet/aspnet:10.0",
        Registry = _registry.Host,
        AssemblyName = "App",
        Repository = "team/app",
        ImageTags = "1.0;latest",
        PublishDirectory = _work.Combine("publish"),
        PublishItems = [new PublishItem("App.dll"), new PublishItem("App.deps.json"), new PublishItem("Serilog.dll", NuGetPackageId: "Serilog")],
        ContentStoreDirectory = _work.Combine(store),
        AppCommand = ["dotnet", "/app/App.dll"],
        SourceDateEpoch = "1700000000",
    };

    private async Task<PublishOutcome> PublishAsync(ImageRequestParser.Inputs inputs, Func<HttpMessageHandler, HttpMessageHandler>? inFront = null)
    {
        var request = ImageRequestParser.Parse(inputs, _ => { });
        var handler = new HostRouter(_registry);
        using var clients = new RegistryClientFactory(inFront?.Invoke(handler) ?? handler, InMemoryRegistry.Environment()) { Retry = RetryPolicy.None };
        return await new ImagePublisher(clients, _warnings.Add, note: _notes.Add).PublishAsync(request, CancellationToken.None);
    }

    private static Descriptor[] AppLayers(PublishOutcome outcome) => outcome.Images.Images[0].Layers.Where(l => l.Origin == LayerOrigin.App).Select(l => l.Descriptor).ToArray();

    [Fact]
    public async Task A_fresh_runner_finds_every_app_layer_in_the_registry_by_key_and_writes_and_uploads_nothing()
    {
        var first = await PublishAsync(Inputs("store-a"));
        var appLayers = AppLayers(first);
        Assert.Equal(2, appLayers.Length);
        Assert.All(first.Layers.NewLayers, l => Assert.False(l.FoundByKey));
        var comments = System.Text.Json.Nodes.JsonNode.Parse(first.Images.Images[0].Config.Bytes)!["history"]!.AsArray().Select(h => h!["comment"]?.GetValue<string>()).ToArray()[^2..];
        Assert.All(comments, c => Assert.Matches(@"^Containers\.Build: .+; input key sha256:[0-9a-f]{64}$", c));

        _registry.ClearRequests();
        var fresh = await PublishAsync(Inputs("store-b"));

        Assert.Equal(first.Images.Digest, fresh.Images.Digest);
        Assert.Equal(2, fresh.Layers.FoundByKey);
        Assert.Equal(0, fresh.Layers.FromCache);
        // Not written: the fresh store has no app layer, and nothing was fetched or uploaded to make one.
        var storeB = new ContentStore(_work.Combine("store-b"));
        Assert.All(appLayers, l => Assert.False(storeB.Contains(l.Digest)));
        Assert.All(appLayers, l => Assert.Equal(0, _registry.Count("GET", "blobs/" + l.Digest)));
        Assert.Equal(0, _registry.Count("POST", "blobs/uploads"));
        Assert.Equal(0, _registry.Count("PUT", "manifests"));
        // Each blob is asked about once: a layer found by its key is not asked about again before it is "sent".
        Assert.All(_registry.Requests.Where(r => r.Method == "HEAD").GroupBy(r => r.Path), heads => Assert.Single(heads));
        // Nor the config the registry's image was read from (the same config: the image is the same).
        var config = fresh.Images.Images[0].Manifest.Config.Digest;
        Assert.Equal(1, _registry.Count("GET", "/blobs/" + config));
        Assert.Equal(0, _registry.Count("HEAD", "/blobs/" + config));
        var summary = fresh.Destinations[0].Summary;
        Assert.Contains("2 of 2 app layers found in the registry by input key; 0 of 2 app layers reused from the cache; uploaded 0 blobs", summary, StringComparison.Ordinal);
        Assert.Empty(_warnings);
        Assert.Empty(_notes);
    }

    /// <summary>
    /// The next commit (another image time, the app changed) on a fresh runner: the packages layer, the same at every
    /// commit, is found by its key; only the app's own layer is written and uploaded.
    /// </summary>
    [Fact]
    public async Task A_fresh_runner_of_the_next_commit_finds_the_packages_layer_and_uploads_only_the_apps()
    {
        var first = await PublishAsync(Inputs("store-a"));
        _work.WriteFile("publish/App.dll", "the app, version 2");

        _registry.ClearRequests();
        var next = await PublishAsync(Inputs("store-b") with { SourceDateEpoch = "1700086400" });

        var (before, after) = (AppLayers(first), AppLayers(next));
        Assert.Equal(before[0], after[0]);
        Assert.NotEqual(before[1], after[1]);
        Assert.Equal(1, next.Layers.FoundByKey);
        Assert.Equal(0, _registry.Count("GET", "/blobs/" + before[0].Digest));
        Assert.Equal(0, _registry.Count("PUT", "/blobs/uploads/.*digest=sha256(%3A|:)" + before[0].Digest.Hex));
        Assert.Equal(1, _registry.Count("PUT", "/blobs/uploads/.*digest=sha256(%3A|:)" + after[1].Digest.Hex));
        Assert.Contains("1 of 2 app layers found in the registry by input key", next.Destinations[0].Summary, StringComparison.Ordinal);
        Assert.Contains("uploaded 2 blobs", next.Destinations[0].Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gzip", "zstd")]
    [InlineData("zstd", "gzip")]
    public async Task A_fresh_runner_never_takes_a_layer_of_the_other_compression_from_the_registry(string before, string now)
    {
        var first = await PublishAsync(Inputs("store-a") with { LayerCompression = before });
        _registry.ClearRequests();

        var fresh = await PublishAsync(Inputs("store-b") with { LayerCompression = now });

        Assert.Equal(0, fresh.Layers.FoundByKey);
        var mediaType = now == "zstd" ? MediaTypes.OciLayerZstd : MediaTypes.OciLayerGzip;
        Assert.All(AppLayers(fresh), l => Assert.Equal(mediaType, l.MediaType));
        Assert.All(AppLayers(first), l => Assert.Equal(now == "zstd" ? MediaTypes.OciLayerGzip : MediaTypes.OciLayerZstd, l.MediaType));
        Assert.Equal(MediaTypes.OciManifest, fresh.Images.Images[0].Manifest.MediaType);
        Assert.Empty(AppLayers(first).Select(l => l.Digest).Intersect(AppLayers(fresh).Select(l => l.Digest)));

        // The same compression again is found by key.
        var again = await PublishAsync(Inputs("store-c") with { LayerCompression = now });
        Assert.Equal(AppLayers(fresh).Length, again.Layers.FoundByKey);
        Assert.Equal(fresh.Images.Digest, again.Images.Digest);
    }

    [Fact]
    public async Task Every_platform_of_a_docker_format_index_is_read_for_the_keys()
    {
        SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0", "amd64", "arm64");
        _work.WriteFile("arm64/App.dll", "the app");
        _work.WriteFile("arm64/App.deps.json", MinimalDepsJson.For("linux-arm64"));
        ImageRequestParser.Inputs Platforms(string store) => Inputs(store) with
        {
            PublishDirectory = null,
            ImageFormat = "Docker",
            Platforms =
            [
                new PlatformInput("linux-x64", _work.Combine("publish"), [], []),
                new PlatformInput("linux-arm64", _work.Combine("arm64"), [], []),
            ],
        };
        var first = await PublishAsync(Platforms("store-a"));
        Assert.Equal(MediaTypes.DockerManifestList, first.Images.MediaType);
        var layers = first.Layers.NewLayers.Count;
        Assert.True(layers >= 2, $"{layers} app layers");
        _registry.ClearRequests();

        var fresh = await PublishAsync(Platforms("store-b"));

        Assert.Equal(first.Images.Digest, fresh.Images.Digest);
        Assert.Equal(layers, fresh.Layers.FoundByKey);
        Assert.Equal(0, _registry.Count("POST", "blobs/uploads"));
        Assert.Contains($"{layers} of {layers} app layers found in the registry by input key", fresh.Destinations[0].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_file_writes_only_its_layer_and_the_rest_are_found_by_key()
    {
        var first = await PublishAsync(Inputs("store-a"));
        _work.WriteFile("publish/App.dll", "the app, version 2");
        _registry.ClearRequests();

        var fresh = await PublishAsync(Inputs("store-b"));

        Assert.NotEqual(first.Images.Digest, fresh.Images.Digest);
        Assert.Equal(1, fresh.Layers.FoundByKey);
        var (before, after) = (AppLayers(first), AppLayers(fresh));
        Assert.Equal(before[0], after[0]);
        Assert.NotEqual(before[1].Digest, after[1].Digest);
        var storeB = new ContentStore(_work.Combine("store-b"));
        Assert.False(storeB.Contains(after[0].Digest));
        Assert.True(storeB.Contains(after[1].Digest));
        Assert.Contains("1 of 2 app layers found in the registry by input key", fresh.Destinations[0].Summary, StringComparison.Ordinal);
        // The new app layer and the new config.
        Assert.Contains("uploaded 2 blobs", fresh.Destinations[0].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_layer_found_by_key_whose_bytes_do_not_match_is_caught_by_the_destination_that_reads_it_and_written_here()
    {
        var first = await PublishAsync(Inputs("store-a"));
        var app = AppLayers(first)[1];
        var good = _registry.GetBlob(app.Digest)!;
        // A registry (or someone with push rights) serves other bytes under the key's blob.
        _registry.CorruptBlob(app.Digest, Encoding.UTF8.GetBytes("forged"));

        var fresh = await PublishAsync(Inputs("store-b") with { ArchiveOutputPath = _work.Combine("out", "app.tar") });

        Assert.Equal(first.Images.Digest, fresh.Images.Digest);
        var remade = Assert.Single(_warnings.OfType<CorruptLayerRemadeWarning>());
        Assert.Equal(app.Digest, remade.Layer);
        // The archive holds the layer written here, the bytes its digest names, not the registry's.
        var storeB = new ContentStore(_work.Combine("store-b"));
        Assert.Equal(good, File.ReadAllBytes(storeB.PathOf(app.Digest)));
        Assert.Equal(good, BlobInTar(_work.Combine("out", "app.tar"), app.Digest));
    }

    [Fact]
    public async Task A_registry_that_fails_the_read_still_gets_the_image_with_the_layers_written()
    {
        var first = await PublishAsync(Inputs("store-a"));

        var fresh = await PublishAsync(Inputs("store-b"), handler => new FailFirstManifestRead(handler));

        Assert.Equal(first.Images.Digest, fresh.Images.Digest);
        Assert.Equal(0, fresh.Layers.FoundByKey);
        var storeB = new ContentStore(_work.Combine("store-b"));
        Assert.All(AppLayers(fresh), l => Assert.True(storeB.Contains(l.Digest)));
        Assert.Contains("0 of 2 app layers reused from the cache; uploaded 0 blobs", fresh.Destinations[0].Summary, StringComparison.Ordinal);
        Assert.Empty(_warnings);
        Assert.Contains(_notes, n => n.Contains("could not be read", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ContainerRegistryLayerCache_false_writes_every_layer()
    {
        await PublishAsync(Inputs("store-a"));

        var fresh = await PublishAsync(Inputs("store-b") with { RegistryLayerCache = "false" });

        Assert.Equal(0, fresh.Layers.FoundByKey);
        Assert.DoesNotContain("found in the registry", fresh.Destinations[0].Summary, StringComparison.Ordinal);
        var error = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.Parse(Inputs("store-c") with { RegistryLayerCache = "sometimes" }, _ => { }));
        Assert.Equal(DiagnosticCodes.RegistryLayerCacheInvalid, error.Code);
    }

    [Fact]
    public void Only_history_entries_this_tool_wrote_give_keys()
    {
        var key = Digest.Compute("inputs"u8.ToArray());
        var config = ImageConfig.Parse(Encoding.UTF8.GetBytes($$"""
            {"rootfs":{"type":"layers","diff_ids":["{{Digest.Compute("a"u8.ToArray())}}","{{Digest.Compute("b"u8.ToArray())}}","{{Digest.Compute("c"u8.ToArray())}}"]},
             "history":[
               {"created_by":"RUN make; input key {{key}}","comment":"Containers.Build: the application; input key {{key}}"},
               {"created_by":"ENV A=B","empty_layer":true},
               {"created_by":"Containers.Build","comment":"ContainerLayer: layer x of y; input key {{key}}"},
               {"created_by":"Containers.Build","comment":"{{LayerKeyHistory.Comment("Containers.Build: the application (1 files under /app/)", key)}}"}]}
            """));

        Assert.Equal([null, null, key], LayerKeyHistory.KeysOf(config));
    }

    private static byte[] BlobInTar(string tar, Digest digest)
    {
        using var reader = new System.Formats.Tar.TarReader(File.OpenRead(tar));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name == $"blobs/sha256/{digest.Hex}")
            {
                using var content = new MemoryStream();
                entry.DataStream!.CopyTo(content);
                return content.ToArray();
            }
        }
        throw new InvalidOperationException($"No blob {digest} in {tar}.");
    }

    /// <summary>The registry's first manifest read answers 500: the read for the layer keys fails, the push after it does not.</summary>
    private sealed class FailFirstManifestRead(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _failed;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.Contains("/team/app/manifests/", StringComparison.Ordinal) && Interlocked.Exchange(ref _failed, 1) == 0
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError) { RequestMessage = request, Content = new StringContent("""{"errors":[{"code":"UNKNOWN","message":"storage"}]}""", Encoding.UTF8, "application/json") })
                : base.SendAsync(request, cancellationToken);
    }
}
