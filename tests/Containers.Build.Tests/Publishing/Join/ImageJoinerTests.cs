using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.Publishing;
using Containers.Build.Publishing.Join;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Publishing.Join;

/// <summary>
/// JoinImage's core against in-memory registries: each "runner" is a real publish of one platform by digest only
/// (ContainerPublishUntagged), to a registry or an OCI layout, with its SBOM and provenance; then the join, from
/// references by digest, facts files or layouts.
/// </summary>
public sealed class ImageJoinerTests : IDisposable
{
    private readonly InMemoryRegistry _registry = new("127.0.0.1:5999");
    private readonly InMemoryRegistry _other = new("127.0.0.1:5998");
    private readonly TempDirectory _work = new("cb-join");
    private readonly List<PublishWarning> _warnings = [];

    public ImageJoinerTests()
    {
        SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0", "amd64", "arm64");
        foreach (var rid in new[] { "linux-x64", "linux-arm64" })
        {
            _work.WriteFile($"{rid}/App.dll", "the app");
            _work.WriteFile($"{rid}/App.deps.json", MinimalDepsJson.For(rid));
        }
    }

    public void Dispose() => _work.Dispose();

    private RegistryClientFactory Clients() => new(new HostRouter(_registry, _other), InMemoryRegistry.Environment()) { Retry = RetryPolicy.None };

    /// <summary>One runner: <c>dotnet publish -t:PublishImage -r RID -p:ContainerPublishUntagged=true</c>.</summary>
    private async Task<PublishOutcome> PublishUntaggedAsync(string rid, string? registry = null, string repository = "team/app", string? layout = null, string? format = null)
    {
        var inputs = new ImageRequestParser.Inputs
        {
            BaseImage = $"{_registry.Host}/dotnet/aspnet:10.0",
            Registry = registry ?? _registry.Host,
            AssemblyName = "App",
            Repository = repository,
            ImageTags = "1.0;latest",
            RuntimeIdentifier = rid,
            ImageFormat = format,
            PublishDirectory = _work.Combine(rid),
            ContentStoreDirectory = _work.Combine("store-" + rid),
            AppCommand = ["dotnet", "/app/App.dll"],
            SourceDateEpoch = "1700000000",
            OciLayoutPath = layout,
            FactsPath = _work.Combine("facts", rid, "container-image.json"),
            PublishUntagged = "true",
            GeneratedLabels = LabelGeneration.All,
        };
        using var clients = Clients();
        return await new ImagePublisher(clients, _warnings.Add).PublishAsync(ImageRequestParser.Parse(inputs, _ => { }), CancellationToken.None);
    }

    private Task<JoinOutcome> JoinAsync(IReadOnlyList<JoinSource> sources, params string[] tags) => JoinAsync(_registry, sources, tags);

    private async Task<JoinOutcome> JoinAsync(InMemoryRegistry target, IReadOnlyList<JoinSource> sources, params string[] tags)
    {
        using var clients = Clients();
        var request = new JoinRequest(target.Registry, "team/app", tags.Length == 0 ? ["latest"] : tags, sources, _work.Combine("join-store"), _work.Combine("joined.json"));
        return await ImageJoiner.JoinAsync(request, clients, CancellationToken.None, _warnings.Add);
    }

    private static RegistryJoinSource ByDigest(InMemoryRegistry registry, string repository, Digest digest)
        => new($"{registry.Host}/{repository}@{digest}", new ImageReference(registry.Registry, repository, null, digest));

    private static string Diagnose(Exception e) => ErrorBoundary.Diagnose(e, new ErrorBoundary.Context(null, null, true)).Code;

    /// <summary>The tags people push, without the referrers tags (sha256-&lt;hex&gt;) that list each image's SBOM and provenance on a registry without the referrers API.</summary>
    private IReadOnlyList<string> ImageTags(InMemoryRegistry registry, string repository) => registry.Tags(repository).Where(t => !t.StartsWith("sha256-", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task A_publish_by_digest_only_creates_no_tag_in_the_registry_or_the_layout_and_its_facts_say_where_it_is()
    {
        var layout = _work.Combine("layout");
        var outcome = await PublishUntaggedAsync("linux-arm64", layout: layout);
        var digest = outcome.Images.Digest;

        // The registry has the image by digest, and no tag but the referrers tag of its SBOM and provenance.
        Assert.Equal(outcome.Images.Bytes, _registry.GetManifest("team/app", digest.ToString())!.Bytes);
        Assert.Empty(ImageTags(_registry, "team/app"));
        Assert.Equal([ReferrersIndex.TagFor(digest)], _registry.Tags("team/app"));
        Assert.Equal(0, _registry.Count("PUT", "/manifests/(1\\.0|latest)$"));
        var pushed = outcome.Destinations[0];
        Assert.Equal([$"{_registry.Host}/team/app@{digest}"], pushed.Names);
        Assert.Matches($@"^Pushed {_registry.Host.Replace(".", "\\.")}/team/app@{digest} — .*pushed by digest only: no image tag was created or moved; 2 referrers attached", pushed.Summary);

        // The layout lists it without a ref.name (and its referrers), so nothing there names it but its digest.
        var entries = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!["manifests"]!.AsArray();
        var image = Assert.Single(entries, e => e!["artifactType"] is null)!;
        Assert.Equal(digest.ToString(), image["digest"]!.GetValue<string>());
        Assert.Null(image["annotations"]);
        Assert.Equal([$"oci:{layout}@{digest}"], outcome.Destinations[1].Names);
        Assert.Contains("by digest only", outcome.Destinations[1].Summary, StringComparison.Ordinal);

        var facts = JsonNode.Parse(File.ReadAllText(_work.Combine("facts", "linux-arm64", "container-image.json")))!;
        Assert.Equal(digest.ToString(), facts["manifestDigest"]!.GetValue<string>());
        Assert.Equal(_registry.Host, facts["destinations"]![0]!["registry"]!.GetValue<string>());
        Assert.Equal("team/app", facts["repository"]!.GetValue<string>());
        Assert.Empty(facts["tags"]!.AsArray());
        Assert.Equal("linux/arm64", facts["platforms"]![0]!["platform"]!.GetValue<string>());
        Assert.Equal(MediaTypes.OciManifest, facts["manifestMediaType"]!.GetValue<string>());
    }

    [Fact]
    public async Task Two_images_pushed_by_digest_are_joined_into_one_index_under_the_tags_with_nothing_copied()
    {
        var x64 = (await PublishUntaggedAsync("linux-x64")).Images.Images[0];
        var arm64 = (await PublishUntaggedAsync("linux-arm64")).Images.Images[0];
        _registry.ClearRequests();

        // Given arm64 first: the index is in platform order all the same.
        var outcome = await JoinAsync([ByDigest(_registry, "team/app", arm64.Digest), ByDigest(_registry, "team/app", x64.Digest)], "1.0", "latest");

        var index = ImageIndex.Parse(_registry.GetManifest("team/app", "latest")!.Bytes);
        Assert.Equal(outcome.Index.Digest, index.Digest);
        Assert.Equal(index.Digest, _registry.GetManifest("team/app", "1.0")!.Digest);
        Assert.Equal(MediaTypes.OciIndex, index.MediaType);
        Assert.Equal([(x64.Digest, "linux/amd64"), (arm64.Digest, "linux/arm64")], index.Manifests.Select(m => (m.Digest, m.Platform!.ToString())));
        Assert.Equal(["1.0", "latest"], ImageTags(_registry, "team/app"));
        // What both images say alike (their base, their time) the index says too.
        var annotations = JsonNode.Parse(index.Bytes)!["annotations"]!;
        Assert.Equal("2023-11-14T22:13:20Z", annotations["org.opencontainers.image.created"]!.GetValue<string>());
        Assert.Equal($"{_registry.Host}/dotnet/aspnet:10.0", annotations["org.opencontainers.image.base.name"]!.GetValue<string>());

        // The runners pushed everything: the join put the index under its two tags, and nothing else.
        Assert.Equal(0, _registry.Count("POST", "blobs/uploads"));
        Assert.Equal(2, _registry.Count("PUT", "manifests"));
        Assert.All(outcome.Platforms, p => Assert.False(p.Copied));
        Assert.Equal($"Joined 2 platform images into {_registry.Host}/team/app:1.0,latest@{index.Digest} (an OCI image index: linux/amd64 {x64.Digest}, linux/arm64 {arm64.Digest}); 2 already in the repository, 0 copied into it; 2 of 2 tags updated.", outcome.Summary);

        // Joined again: the same index, and no tag is put again.
        _registry.ClearRequests();
        var again = await JoinAsync([ByDigest(_registry, "team/app", x64.Digest), ByDigest(_registry, "team/app", arm64.Digest)], "1.0", "latest");
        Assert.Equal(outcome.Index.Digest, again.Index.Digest);
        Assert.Equal(0, _registry.Count("PUT", "manifests"));
        Assert.EndsWith("the tags already named it.", again.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_runners_facts_files_name_the_images_and_the_join_writes_facts_of_its_own()
    {
        var x64 = (await PublishUntaggedAsync("linux-x64")).Images.Images[0];
        var arm64 = (await PublishUntaggedAsync("linux-arm64")).Images.Images[0];
        var request = ImageRequestParser.ParseJoin(new ImageRequestParser.Inputs
        {
            Registry = _registry.Host,
            Repository = "team/app",
            ImageTags = "2.0",
            ContentStoreDirectory = _work.Combine("join-store"),
            FactsPath = _work.Combine("joined.json"),
        }, null, [_work.Combine("facts", "linux-x64", "container-image.json"), _work.Combine("facts", "linux-arm64", "container-image.json")], _ => { });
        Assert.All(request.Sources, s => Assert.IsType<FactsJoinSource>(s));

        using var clients = Clients();
        var outcome = await ImageJoiner.JoinAsync(request, clients, CancellationToken.None, _warnings.Add);

        Assert.Equal(outcome.Index.Digest, _registry.GetManifest("team/app", "2.0")!.Digest);
        Assert.Equal([x64.Digest, arm64.Digest], outcome.Index.Manifests.Select(m => m.Digest));
        Assert.Contains($"container-image.json ({_registry.Host}/team/app@{x64.Digest})", outcome.Platforms[0].Source, StringComparison.Ordinal);
        var facts = JsonNode.Parse(File.ReadAllText(_work.Combine("joined.json")))!;
        Assert.Equal(outcome.Index.Digest.ToString(), facts["manifestDigest"]!.GetValue<string>());
        Assert.Equal(MediaTypes.OciIndex, facts["manifestMediaType"]!.GetValue<string>());
        Assert.Equal(["2.0"], facts["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(["linux/amd64", "linux/arm64"], facts["platforms"]!.AsArray().Select(p => p!["platform"]!.GetValue<string>()));
        Assert.Equal(x64.Config.Digest.ToString(), facts["platforms"]![0]!["configDigest"]!.GetValue<string>());
        Assert.Equal([$"{_registry.Host}/team/app:2.0"], facts["destinations"]![0]!["names"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Empty(_warnings);
    }

    [Fact]
    public async Task Of_several_registries_a_facts_file_names_the_join_reads_the_one_the_index_goes_to()
    {
        // The runner pushed to both registries (ContainerRegistry=a;b); the index goes to the second.
        var x64 = (await PublishUntaggedAsync("linux-x64", registry: $"{_registry.Host};{_other.Host}")).Images.Images[0];
        Assert.NotNull(_other.GetManifest("team/app", x64.Digest.ToString()));
        _registry.ClearRequests();

        var outcome = await JoinAsync(_other, [new FactsJoinSource("facts", _work.Combine("facts", "linux-x64", "container-image.json"))]);

        Assert.Equal($"facts ({_other.Host}/team/app@{x64.Digest})", Assert.Single(outcome.Platforms).Source);
        Assert.False(outcome.Platforms[0].Copied);
        Assert.Equal(outcome.Index.Digest, _other.GetManifest("team/app", "latest")!.Digest);
        Assert.Empty(_registry.Requests);
    }

    [Fact]
    public async Task An_image_in_an_oci_layout_is_uploaded_with_its_sbom_and_provenance_before_the_index_is_tagged()
    {
        // One runner has no registry access: its image is only in a layout. The other pushed by digest.
        var layout = _work.Combine("arm64-layout");
        var arm64 = (await PublishUntaggedAsync("linux-arm64", registry: "", layout: layout)).Images.Images[0];
        var x64 = (await PublishUntaggedAsync("linux-x64")).Images.Images[0];
        Assert.Null(_registry.GetManifest("team/app", arm64.Digest.ToString()));
        _registry.ClearRequests();

        var outcome = await JoinAsync([ParseEntry($"oci:{layout}"), new FactsJoinSource("x64 facts", _work.Combine("facts", "linux-x64", "container-image.json"))]);

        // The layout's image is in the repository by digest, every blob of it uploaded (and checked by the registry).
        Assert.Equal(arm64.Manifest.Bytes, _registry.GetManifest("team/app", arm64.Digest.ToString())!.Bytes);
        Assert.True(_registry.BlobsIn("team/app").IsSupersetOf([arm64.Manifest.Config.Digest, .. arm64.Manifest.Layers.Select(l => l.Digest)]));
        Assert.Equal([false, true], outcome.Platforms.Select(p => p.Copied));
        Assert.Equal(outcome.Index.Digest, _registry.GetManifest("team/app", "latest")!.Digest);
        // Its SBOM and provenance came along, listed under its referrers tag (the registry has no referrers API).
        var referrers = JsonNode.Parse(_registry.GetManifest("team/app", ReferrersIndex.TagFor(arm64.Digest))!.Bytes)!["manifests"]!.AsArray();
        Assert.Equal([MediaTypes.SpdxJson, MediaTypes.InTotoJson], referrers.Select(r => r!["artifactType"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(referrers, r => Assert.NotNull(_registry.GetManifest("team/app", r!["digest"]!.GetValue<string>())));
        Assert.Equal(2, outcome.Referrers);
        Assert.Contains("1 already in the repository, 1 copied into it (blobs: ", outcome.Summary, StringComparison.Ordinal);
        Assert.Contains("2 referrers (SBOM, provenance) copied with them", outcome.Summary, StringComparison.Ordinal);

        // Nothing names the index before every manifest is in the repository: the tag is the last PUT but the referrers'.
        var puts = _registry.Requests.Where(r => r.Method == "PUT" && r.Path.Contains("/manifests/", StringComparison.Ordinal)).Select(r => r.Path).ToArray();
        Assert.Equal($"/v2/team/app/manifests/{arm64.Digest}", puts[0]);
        Assert.Equal("/v2/team/app/manifests/latest", puts[1]);
        Assert.Equal(["latest"], ImageTags(_registry, "team/app"));
    }

    [Fact]
    public async Task Images_in_another_repository_are_mounted_and_from_another_registry_copied_into_the_repository()
    {
        var x64 = (await PublishUntaggedAsync("linux-x64", repository: "ci/app-x64")).Images.Images[0];
        SeededBaseImage.Put(_other, "dotnet/aspnet", "10.0", "amd64", "arm64");
        var arm64 = (await PublishUntaggedAsync("linux-arm64", registry: _other.Host)).Images.Images[0];
        _registry.ClearRequests();

        var outcome = await JoinAsync([ByDigest(_registry, "ci/app-x64", x64.Digest), ByDigest(_other, "team/app", arm64.Digest)]);

        Assert.All(outcome.Platforms, p => Assert.True(p.Copied));
        Assert.NotNull(_registry.GetManifest("team/app", x64.Digest.ToString()));
        Assert.NotNull(_registry.GetManifest("team/app", arm64.Digest.ToString()));
        // Same registry: every blob of the x64 image mounted, none uploaded; only its config was read (for its platform).
        foreach (var blob in x64.Manifest.Layers.Select(l => l.Digest).Append(x64.Manifest.Config.Digest))
        {
            Assert.Equal(1, _registry.Count("POST", $@"team/app/blobs/uploads/\?mount={blob}&from=ci%2Fapp-x64"));
            Assert.Equal(0, _registry.Count("PUT", $"blobs/uploads/.*{blob.Hex}"));
        }
        Assert.All(x64.Manifest.Layers, l => Assert.Equal(0, _registry.Count("GET", $"blobs/{l.Digest}")));
        // Another registry: the arm64 image's blobs read from there and uploaded.
        Assert.Equal(_other.GetBlob(arm64.Manifest.Layers[^1].Digest), _registry.GetBlob(arm64.Manifest.Layers[^1].Digest));
        Assert.True(_other.Count("GET", $"blobs/{arm64.Manifest.Layers[^1].Digest}") >= 1);
        // Both images' referrers came along.
        Assert.Equal(4, outcome.Referrers);
        Assert.NotNull(_registry.GetManifest("team/app", ReferrersIndex.TagFor(x64.Digest)));
        Assert.NotNull(_registry.GetManifest("team/app", ReferrersIndex.TagFor(arm64.Digest)));
        Assert.Empty(_warnings);
    }

    [Fact]
    public async Task An_index_published_by_digest_only_gives_each_of_its_platforms_and_a_single_image_joins_it()
    {
        // One runner built two platforms (ContainerRuntimeIdentifiers), by digest only: the index and both manifests, no tag.
        var inputs = new ImageRequestParser.Inputs
        {
            BaseImage = $"{_registry.Host}/dotnet/aspnet:10.0",
            Registry = _registry.Host,
            AssemblyName = "App",
            Repository = "team/app",
            Platforms = [new PlatformInput("linux-x64", _work.Combine("linux-x64"), [], []), new PlatformInput("linux-arm64", _work.Combine("linux-arm64"), [], [])],
            ContentStoreDirectory = _work.Combine("store-both"),
            AppCommand = ["dotnet", "/app/App.dll"],
            SourceDateEpoch = "1700000000",
            PublishUntagged = "true",
        };
        PublishOutcome both;
        using (var clients = Clients())
        {
            both = await new ImagePublisher(clients, _warnings.Add).PublishAsync(ImageRequestParser.Parse(inputs, _ => { }), CancellationToken.None);
        }
        var published = Assert.IsType<ImageIndex>(both.Images.Index);
        Assert.Equal(published.Bytes, _registry.GetManifest("team/app", published.Digest.ToString())!.Bytes);
        Assert.Empty(ImageTags(_registry, "team/app"));

        // Joined with nothing else: its platforms, under the tag. The arm64 config names no variant; the index's v8 completes it.
        var outcome = await JoinAsync([ByDigest(_registry, "team/app", published.Digest)]);
        Assert.Equal(published.Manifests.Select(m => (m.Digest, m.Platform)), outcome.Index.Manifests.Select(m => (m.Digest, m.Platform)));
        Assert.Equal("linux/arm64/v8", outcome.Platforms[1].Platform.ToString());
        Assert.Equal(["latest"], ImageTags(_registry, "team/app"));
    }

    [Fact]
    public async Task Two_images_for_one_platform_are_an_error_that_names_both_and_nothing_is_pushed()
    {
        var first = (await PublishUntaggedAsync("linux-x64")).Images.Images[0];
        _work.WriteFile("linux-x64/App.dll", "the app, rebuilt");
        var second = (await PublishUntaggedAsync("linux-x64")).Images.Images[0];
        Assert.NotEqual(first.Digest, second.Digest);
        _registry.ClearRequests();

        var error = await Assert.ThrowsAsync<JoinPlatformTwiceException>(() => JoinAsync([ByDigest(_registry, "team/app", first.Digest), ByDigest(_registry, "team/app", second.Digest)]));

        Assert.Equal(DiagnosticCodes.JoinPlatformTwice, Diagnose(error));
        Assert.Contains($"Two images to join are for linux/amd64: {first.Digest} from {_registry.Host}/team/app@{first.Digest}, and {second.Digest} from {_registry.Host}/team/app@{second.Digest}.", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _registry.Count("PUT", "."));
        Assert.Empty(ImageTags(_registry, "team/app"));

        // The same image named twice (its facts and its digest) is one image, not two.
        var outcome = await JoinAsync([ByDigest(_registry, "team/app", second.Digest), new FactsJoinSource("facts", _work.Combine("facts", "linux-x64", "container-image.json"))]);
        Assert.Equal(second.Digest, Assert.Single(outcome.Index.Manifests).Digest);
    }

    [Fact]
    public async Task Oci_and_docker_images_cannot_share_an_index_and_an_image_that_is_not_there_is_not_found()
    {
        var x64 = (await PublishUntaggedAsync("linux-x64")).Images.Images[0];
        var arm64 = (await PublishUntaggedAsync("linux-arm64", format: "Docker")).Images.Images[0];

        var mixed = await Assert.ThrowsAsync<JoinFormatsMixedException>(() => JoinAsync([ByDigest(_registry, "team/app", x64.Digest), ByDigest(_registry, "team/app", arm64.Digest)]));
        Assert.Equal(DiagnosticCodes.JoinFormatsMixed, Diagnose(mixed));
        Assert.Contains("linux/amd64: OCI from", mixed.Message, StringComparison.Ordinal);
        Assert.Contains("linux/arm64: Docker from", mixed.Message, StringComparison.Ordinal);
        Assert.Empty(ImageTags(_registry, "team/app"));

        var missing = Digest.Compute("never pushed"u8.ToArray());
        var notFound = await Assert.ThrowsAsync<JoinImageNotFoundException>(() => JoinAsync([ByDigest(_registry, "team/app", missing)]));
        Assert.Equal(DiagnosticCodes.JoinImageNotFound, Diagnose(notFound));
        Assert.Contains($"{_registry.Host}/team/app has no manifest {missing}", notFound.Message, StringComparison.Ordinal);

        // An artifact (the image's SBOM) is not a platform's image.
        var sbom = Digest.Parse(JsonNode.Parse(_registry.GetManifest("team/app", ReferrersIndex.TagFor(x64.Digest))!.Bytes)!["manifests"]![0]!["digest"]!.GetValue<string>());
        var artifact = await Assert.ThrowsAsync<JoinImageUnreadableException>(() => JoinAsync([ByDigest(_registry, "team/app", sbom)]));
        Assert.Equal(DiagnosticCodes.JoinImageUnreadable, Diagnose(artifact));
        Assert.Contains("which is not an image but an artifact", artifact.Message, StringComparison.Ordinal);
    }

    private static JoinSource ParseEntry(string entry) => ImageRequestParser.ParseJoinSource(entry);
}
