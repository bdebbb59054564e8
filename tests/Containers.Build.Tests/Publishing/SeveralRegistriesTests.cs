using System.Text;
using System.Text.Json.Nodes;
using Containers.Build.Model;
using Containers.Build.Publishing;
using Containers.Build.Publishing.Destinations;
using Containers.Build.Registry;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Publishing;

/// <summary>
/// ContainerRegistry=a;b: the same image to every registry in order, each checking and mounting its own blobs; a
/// registry that fails does not keep the image from the others, and the publish then fails naming each.
/// </summary>
public sealed class SeveralRegistriesTests : IDisposable
{
    private readonly InMemoryRegistry _first = new("127.0.0.1:5999");
    private readonly InMemoryRegistry _second = new("127.0.0.1:5998");
    private readonly TempDirectory _work = new("cb-several-registries");
    private readonly List<PublishWarning> _warnings = [];

    public SeveralRegistriesTests()
    {
        _work.WriteFile("publish/App.dll", "the app");
        _work.WriteFile("publish/App.deps.json", MinimalDepsJson.For("linux-x64"));
    }

    public void Dispose() => _work.Dispose();

    private ImageRequestParser.Inputs Inputs(string registries) => new()
    {
        BaseImage = $"{_first.Host}/dotnet/aspnet:10.0",
        Registry = registries,
        AssemblyName = "App",
        Repository = "team/app",
        ImageTags = "1.0;latest",
        PublishDirectory = _work.Combine("publish"),
        ContentStoreDirectory = _work.Combine("store"),
        AppCommand = ["dotnet", "/app/App.dll"],
        SourceDateEpoch = "1700000000",
        FactsPath = _work.Combine("facts.json"),
    };

    private async Task<PublishOutcome> PublishAsync(ImageRequestParser.Inputs inputs, HttpMessageHandler? network = null, Func<string, string?>? environment = null)
    {
        var request = ImageRequestParser.Parse(inputs, _ => { });
        using var clients = new RegistryClientFactory(network ?? new HostRouter(_first, _second), environment ?? InMemoryRegistry.Environment()) { Retry = RetryPolicy.None };
        return await new ImagePublisher(clients, _warnings.Add).PublishAsync(request, CancellationToken.None);
    }

    private JsonArray FactsDestinations() => JsonNode.Parse(File.ReadAllText(_work.Combine("facts.json")))!["destinations"]!.AsArray();

    [Fact]
    public async Task Every_registry_gets_the_same_image_and_the_base_is_mounted_where_it_lives_and_copied_elsewhere()
    {
        var (_, baseLayers) = SeededBaseImage.Put(_first, "dotnet/aspnet", "10.0");

        var outcome = await PublishAsync(Inputs($" {_first.Host} ; {_second.Host} "));

        var digest = outcome.Images.Digest;
        foreach (var registry in new[] { _first, _second })
        {
            Assert.Equal(digest, registry.GetManifest("team/app", "1.0")!.Digest);
            Assert.Equal(digest, registry.GetManifest("team/app", "latest")!.Digest);
            Assert.Equal(outcome.Images.Bytes, registry.GetManifest("team/app", "latest")!.Bytes);
        }
        // Where the base lives it is mounted; the other registry gets its bytes, read from the first once.
        Assert.Equal(1, _first.Count("POST", @"team/app/blobs/uploads/\?mount=" + baseLayers[0].Digest));
        Assert.Equal(0, _second.Count("POST", "mount="));
        Assert.Equal(1, _second.Count("PUT", "team/app/blobs/uploads/.*" + baseLayers[0].Digest.Hex));
        Assert.Equal(1, _first.Count("GET", "blobs/" + baseLayers[0].Digest));
        Assert.Equal(_first.GetBlob(baseLayers[0].Digest), _second.GetBlob(baseLayers[0].Digest));

        // In the order given: one result (and summary line) each, each naming the image in its registry.
        Assert.Equal([_first.Registry, _second.Registry], outcome.Destinations.Select(d => d.Registry));
        Assert.Equal(["127.0.0.1:5999/team/app:1.0", "127.0.0.1:5999/team/app:latest"], outcome.Destinations[0].Names);
        Assert.Equal(["127.0.0.1:5998/team/app:1.0", "127.0.0.1:5998/team/app:latest"], outcome.Destinations[1].Names);
        Assert.Matches($@"^Pushed 127\.0\.0\.1:5999/team/app:1\.0,latest@{digest} — 2 layers \(base \d+ B mounted, ", outcome.Destinations[0].Summary);
        Assert.Matches($@"^Pushed 127\.0\.0\.1:5998/team/app:1\.0,latest@{digest} — 2 layers \(base \d+ B uploaded, ", outcome.Destinations[1].Summary);

        var facts = FactsDestinations();
        Assert.Equal(["127.0.0.1:5999", "127.0.0.1:5998"], facts.Select(d => d!["registry"]!.GetValue<string>()));
        Assert.All(facts, d => Assert.Null(d!["error"]));

        // The SBOM names the image by the first registry's repository.
        var sbom = Encoding.UTF8.GetString(Assert.Single(outcome.Images.Attachments, a => a.Kind == Containers.Build.Images.AttachmentKind.Sbom).Content);
        Assert.Contains("5999/team/app", sbom, StringComparison.Ordinal);
        Assert.DoesNotContain(_second.Host, sbom, StringComparison.Ordinal);
        Assert.DoesNotContain("5998", sbom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multi_platform_image_is_the_same_index_in_every_registry()
    {
        SeededBaseImage.Put(_first, "dotnet/aspnet", "10.0", "amd64", "arm64");
        _work.WriteFile("arm64/App.dll", "the app");
        _work.WriteFile("arm64/App.deps.json", MinimalDepsJson.For("linux-arm64"));
        var inputs = Inputs($"{_first.Host},{_second.Host}") with
        {
            PublishDirectory = null,
            Platforms =
            [
                new PlatformInput("linux-x64", _work.Combine("publish"), [], []),
                new PlatformInput("linux-arm64", _work.Combine("arm64"), [], []),
            ],
        };

        var outcome = await PublishAsync(inputs);

        var index = Assert.IsType<ImageIndex>(outcome.Images.Index);
        foreach (var registry in new[] { _first, _second })
        {
            Assert.Equal(index.Bytes, registry.GetManifest("team/app", "latest")!.Bytes);
            Assert.All(outcome.Images.Images, image => Assert.Equal(image.Manifest.Bytes, registry.GetManifest("team/app", image.Digest.ToString())!.Bytes));
        }
        Assert.All(outcome.Destinations, d => Assert.Contains($"@{index.Digest} — an index of 2 platform images", d.Summary, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_registry_that_fails_does_not_keep_the_image_from_the_next_and_keeps_its_own_code()
    {
        SeededBaseImage.Put(_first, "dotnet/aspnet", "10.0");
        // The first registry named breaks on every write; the second must still get the image, and the archive (a file
        // written after the registries) is not written, as after any failed push.
        var inputs = Inputs($"{_second.Host};{_first.Host}") with { ArchiveOutputPath = _work.Combine("out", "app.tar") };

        var error = await Assert.ThrowsAsync<RegistryPushesFailedException>(() => PublishAsync(inputs, new BrokenStorage(_second.Host, new HostRouter(_first, _second))));

        var pushed = Assert.Single(error.Outcome.Destinations);
        Assert.Equal(_first.Registry, pushed.Registry);
        var digest = error.Outcome.Images.Digest;
        Assert.Equal(digest, _first.GetManifest("team/app", "latest")!.Digest);
        Assert.Equal(digest, _first.GetManifest("team/app", "1.0")!.Digest);
        Assert.Empty(_second.Tags("team/app"));
        Assert.False(File.Exists(_work.Combine("out", "app.tar")));
        var failure = Assert.Single(error.Outcome.FailedRegistries);
        Assert.Equal(_second.Registry, failure.Registry);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, Assert.IsAssignableFrom<RegistryException>(failure.Error).StatusCode);

        // One failure of several keeps its own code (a refused push), names the registry, and says where the image is.
        var (code, message) = ErrorBoundary.Diagnose(error, new(null, null, false));
        Assert.Equal(DiagnosticCodes.PushRefused, code);
        Assert.StartsWith($"Not pushed to {_second.Host}: Registry {_second.Host} refused", message, StringComparison.Ordinal);
        Assert.Contains("storage driver failed", message, StringComparison.Ordinal);
        Assert.Contains($"The image {digest} was pushed to {_first.Host}. Publish again once {_second.Host} is fixed", message, StringComparison.Ordinal);

        // The facts say which registry has it and which does not, and why.
        var facts = FactsDestinations();
        Assert.Equal(["127.0.0.1:5998", "127.0.0.1:5999"], facts.Select(d => d!["registry"]!.GetValue<string>()).Order());
        var failed = Assert.Single(facts, d => d!["error"] is not null)!;
        Assert.Equal(_second.Host, failed["registry"]!.GetValue<string>());
        Assert.Empty(failed["names"]!.AsArray());
        Assert.Contains("storage driver failed", failed["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_registries_failing_are_one_CB2021_naming_each_with_its_own_code()
    {
        SeededBaseImage.Put(_first, "dotnet/aspnet", "10.0");
        // 127.0.0.1:5997 does not answer at all; the second wants credentials the build does not have.
        var locked = new InMemoryRegistry("127.0.0.1:5996") { Auth = new InMemoryRegistryAuth.Basic("ci", "s3cret") };
        var inputs = Inputs($"127.0.0.1:5997;{locked.Host};{_first.Host}");

        var error = await Assert.ThrowsAsync<RegistryPushesFailedException>(() => PublishAsync(inputs, new HostRouter(_first, locked), InMemoryRegistry.Environment("ci", "wrong")));

        Assert.Equal(error.Outcome.Images.Digest, _first.GetManifest("team/app", "latest")!.Digest);
        Assert.Empty(locked.Tags("team/app"));
        Assert.Equal(["127.0.0.1:5997", "127.0.0.1:5996"], error.Outcome.FailedRegistries.Select(f => f.Registry.ToString()));
        var (code, message) = ErrorBoundary.Diagnose(error, new(null, null, false));
        Assert.Equal(DiagnosticCodes.SeveralRegistriesFailed, code);
        var lines = message.Split(Environment.NewLine);
        Assert.Equal($"The image {error.Outcome.Images.Digest} was not pushed to 2 of the 3 registries in ContainerRegistry:", lines[0]);
        Assert.StartsWith($"- 127.0.0.1:5997 ({DiagnosticCodes.RegistryUnreachable}): ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith($"- 127.0.0.1:5996 ({DiagnosticCodes.RegistryAuthenticationFailed}): ", lines[2], StringComparison.Ordinal);
        Assert.StartsWith($"The image {error.Outcome.Images.Digest} was pushed to {_first.Host}. Publish again once they are fixed", lines[3], StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_one_registry_its_failure_is_thrown_as_it_is_and_nothing_else_is_written()
    {
        SeededBaseImage.Put(_first, "dotnet/aspnet", "10.0");
        var inputs = Inputs(_first.Host) with { ArchiveOutputPath = _work.Combine("out", "app.tar") };

        var error = await Assert.ThrowsAsync<RegistryException>(() => PublishAsync(inputs, new BrokenStorage(_first.Host, new HostRouter(_first))));

        Assert.Equal(DiagnosticCodes.PushRefused, ErrorBoundary.Diagnose(error, new(null, null, false)).Code);
        Assert.StartsWith($"Registry {_first.Host} refused", error.Message, StringComparison.Ordinal);
        Assert.Empty(_first.Tags("team/app"));
        Assert.False(File.Exists(_work.Combine("out", "app.tar")));
        Assert.False(File.Exists(_work.Combine("facts.json")));
    }

    [Fact]
    public async Task A_base_layer_that_does_not_match_its_digest_stops_the_publish_at_the_first_registry()
    {
        // Not a registry's own failure: the base is bad, and would be bad for every registry.
        var (_, baseLayers) = SeededBaseImage.Put(_second, "dotnet/aspnet", "10.0");
        _second.CorruptBlob(baseLayers[0].Digest, "tampered"u8.ToArray());

        var error = await Assert.ThrowsAsync<BlobDigestMismatchException>(() => PublishAsync(Inputs($"{_first.Host};{_second.Host}") with { BaseImage = $"{_second.Host}/dotnet/aspnet:10.0" }));

        Assert.Equal(DiagnosticCodes.BaseImageUnreadable, ErrorBoundary.Diagnose(error, new(null, null, false)).Code);
        Assert.Empty(_first.Tags("team/app"));
        Assert.Empty(_second.Tags("team/app"));
    }
}
