using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.Publishing;
using Containers.Build.Publishing.Destinations;
using Containers.Build.Registry;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Publishing;

/// <summary>
/// Documents attached to an image go where it goes: a registry without the referrers API gets them as artifacts
/// listed under the sha256-&lt;hex&gt; tag (keeping other tools' referrers), a layout lists them in index.json, a
/// docker-archive gets them beside it; a registry that refuses one costs a warning, never the image.
/// </summary>
public sealed class AttachmentDestinationTests : IDisposable
{
    private readonly InMemoryRegistry _registry = new("127.0.0.1:5999");
    private readonly TempDirectory _work = new("cb-attachments");
    private readonly RegistryClientFactory _clients;

    public AttachmentDestinationTests()
    {
        _work.WriteFile("publish/App.dll", "the app");
        // Base layers fetch their bytes through the client that read them: it lives as long as the test.
        _clients = new RegistryClientFactory(new HostRouter(_registry), InMemoryRegistry.Environment()) { Retry = RetryPolicy.None };
    }

    public void Dispose()
    {
        _clients.Dispose();
        _work.Dispose();
    }

    private async Task<(ImageSet Images, ImageNames Names)> BuildAsync()
    {
        SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0");
        var request = ImageRequestParser.Parse(new ImageRequestParser.Inputs
        {
            BaseImage = $"{_registry.Host}/dotnet/aspnet:10.0",
            Registry = _registry.Host,
            AssemblyName = "App",
            Repository = "team/app",
            PublishDirectory = _work.Combine("publish"),
            ContentStoreDirectory = _work.Combine("store"),
            AppCommand = ["dotnet", "/app/App.dll"],
            // The image alone: each test attaches its own documents and sends them where it wants.
            Sbom = "false",
            Provenance = "false",
        }, _ => { });
        var outcome = await new ImagePublisher(_clients, _ => { }).PublishAsync(request, CancellationToken.None);
        var image = outcome.Images.Images[0];
        return (outcome.Images with
        {
            Attachments =
            [
                ImageAttachment.For(image, AttachmentKind.Sbom, MediaTypes.SpdxJson, Encoding.UTF8.GetBytes("""{"spdxVersion":"SPDX-2.3"}"""), "1970-01-01T00:00:00Z"),
                ImageAttachment.For(image, AttachmentKind.Provenance, MediaTypes.InTotoJson, Encoding.UTF8.GetBytes("""{"_type":"https://in-toto.io/Statement/v1"}"""), "1970-01-01T00:00:00Z"),
            ],
        }, request.Names);
    }

    private async Task<(DestinationResult Result, List<PublishWarning> Warnings)> PushAsync(ImageSet images, ImageNames names, HttpMessageHandler? handler = null)
    {
        var warnings = new List<PublishWarning>();
        using var clients = new RegistryClientFactory(handler ?? new HostRouter(_registry), InMemoryRegistry.Environment()) { Retry = RetryPolicy.None };
        var result = await new RegistryDestination(_registry.Registry).SendAsync(images, names, new DestinationContext(clients, new LayerReport([], 0), warnings.Add), CancellationToken.None);
        return (result, warnings);
    }

    [Fact]
    public async Task A_registry_without_the_referrers_api_lists_them_under_the_tag_schema_keeping_other_referrers()
    {
        var (images, names) = await BuildAsync();
        var subject = images.Images[0].Digest;
        // Another tool's referrer, there first.
        var other = ArtifactManifest.Create("application/vnd.example.signature", new Descriptor("application/octet-stream", _registry.PutBlob("team/app", "sig"u8.ToArray()), 3),
            new Descriptor(images.Images[0].Manifest.MediaType, subject, images.Images[0].Manifest.Bytes.Length), []);
        _registry.PutBlob("team/app", ArtifactManifest.EmptyConfig);
        _registry.PutManifest("team/app", other.Digest.ToString(), other.Bytes, other.MediaType);
        _registry.PutManifest("team/app", ReferrersIndex.TagFor(subject), ReferrersIndex.With(null, other), MediaTypes.OciIndex);
        _registry.ClearRequests();

        var (result, warnings) = await PushAsync(images, names);

        Assert.Empty(warnings);
        Assert.Contains("2 referrers attached (SBOM, provenance)", result.Summary, StringComparison.Ordinal);
        // Both artifacts go into the tag at once: it is read when the referrers are asked for and right before it is
        // written, and written once; an artifact's manifest is put without being asked for first.
        Assert.Equal(1, _registry.Count("PUT", "/manifests/sha256-"));
        Assert.Equal(2, _registry.Count("GET", "/manifests/sha256-"));
        Assert.All(images.Attachments, a => Assert.Equal(0, _registry.Count("GET", "/manifests/" + a.Manifest.Digest)));
        Assert.All(images.Attachments, a => Assert.Equal(1, _registry.Count("PUT", "/manifests/" + a.Manifest.Digest)));
        var referrers = JsonNode.Parse(_registry.GetManifest("team/app", $"sha256-{subject.Hex}")!.Bytes)!["manifests"]!.AsArray();
        Assert.Equal(["application/vnd.example.signature", MediaTypes.SpdxJson, MediaTypes.InTotoJson], referrers.Select(r => r!["artifactType"]!.GetValue<string>()));
        foreach (var attachment in images.Attachments)
        {
            var artifact = JsonNode.Parse(_registry.GetManifest("team/app", attachment.Manifest.Digest.ToString())!.Bytes)!;
            Assert.Equal(subject.ToString(), artifact["subject"]!["digest"]!.GetValue<string>());
            Assert.Equal(MediaTypes.OciEmpty, artifact["config"]!["mediaType"]!.GetValue<string>());
            Assert.Equal(attachment.Content, _registry.GetBlob(attachment.Document.Digest));
        }

        // Published again: nothing is put, and little is asked: the subject's referrers once (the API, then the tag), and
        // each listed attachment's manifest; not its blobs.
        _registry.ClearRequests();
        await PushAsync(images, names);
        Assert.Equal(0, _registry.Count("PUT", "."));
        Assert.Equal(1, _registry.Count("GET", "/referrers/"));
        Assert.Equal(1, _registry.Count("GET", "/manifests/sha256-"));
        Assert.All(images.Attachments, a => Assert.Equal(0, _registry.Count("HEAD", "/blobs/" + a.Document.Digest)));
        Assert.All(images.Attachments, a => Assert.Equal(1, _registry.Count("GET", "/manifests/" + a.Manifest.Digest)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Another_clients_write_to_the_referrers_tag_between_the_read_and_the_write_is_kept_where_the_registry_keeps_conditions(bool tagThereBefore)
    {
        var (images, names) = await BuildAsync();
        var subject = images.Images[0].Digest;
        var subjectDescriptor = new Descriptor(images.Images[0].Manifest.MediaType, subject, images.Images[0].Manifest.Bytes.Length);
        _registry.PutBlob("team/app", ArtifactManifest.EmptyConfig);
        ArtifactManifest Referrer(string type, string content)
        {
            var bytes = Encoding.UTF8.GetBytes(content);
            var manifest = ArtifactManifest.Create(type, new Descriptor("application/octet-stream", _registry.PutBlob("team/app", bytes), bytes.Length), subjectDescriptor, []);
            _registry.PutManifest("team/app", manifest.Digest.ToString(), manifest.Bytes, manifest.MediaType);
            return manifest;
        }
        var tag = ReferrersIndex.TagFor(subject);
        var first = Referrer("application/vnd.example.first", "first");
        if (tagThereBefore)
        {
            _registry.PutManifest("team/app", tag, ReferrersIndex.With(null, first), MediaTypes.OciIndex);
        }
        // Another client adds its signature to the tag right after our read before the write (the tag's second read).
        var signature = Referrer("application/vnd.example.signature", "sig");
        var reads = 0;
        _registry.KeepsConditions = true;
        _registry.AfterTagRead = (repository, reference) =>
        {
            if (reference == tag && ++reads == 2)
            {
                _registry.PutManifest(repository, tag, ReferrersIndex.With(_registry.GetManifest(repository, tag)?.Bytes, signature), MediaTypes.OciIndex);
            }
        };

        var (result, warnings) = await PushAsync(images, names);

        Assert.Empty(warnings);
        Assert.Contains("2 referrers attached (SBOM, provenance)", result.Summary, StringComparison.Ordinal);
        // Our first write named what it had read, the registry refused it (412), and the tag was read and merged again.
        Assert.Equal(2, _registry.Count("PUT", "/manifests/sha256-"));
        Assert.Equal(3, _registry.Count("GET", "/manifests/sha256-"));
        var referrers = JsonNode.Parse(_registry.GetManifest("team/app", tag)!.Bytes)!["manifests"]!.AsArray().Select(r => r!["artifactType"]!.GetValue<string>()).ToArray();
        Assert.Equal([.. tagThereBefore ? ["application/vnd.example.first"] : Array.Empty<string>(), "application/vnd.example.signature", MediaTypes.SpdxJson, MediaTypes.InTotoJson], referrers);
    }

    [Fact]
    public async Task A_referrers_tag_that_changes_under_every_write_is_a_warning_and_the_image_is_pushed()
    {
        var (images, names) = await BuildAsync();
        var subject = images.Images[0].Digest;
        var tag = ReferrersIndex.TagFor(subject);
        var others = 0;
        _registry.KeepsConditions = true;
        _registry.AfterTagRead = (repository, reference) =>
        {
            if (reference == tag)
            {
                var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex, ["manifests"] = new JsonArray(), ["annotations"] = new JsonObject { ["n"] = $"{++others}" } };
                _registry.PutManifest(repository, tag, Encoding.UTF8.GetBytes(index.ToJsonString()), MediaTypes.OciIndex);
            }
        };

        var (result, warnings) = await PushAsync(images, names);

        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Contains("changed under every one of 5 writes", Assert.IsType<AttachmentRefusedWarning>(w).Reason, StringComparison.Ordinal));
        Assert.Equal(RegistryClient.ReferrersTagAttempts, _registry.Count("PUT", "/manifests/sha256-"));
        Assert.NotNull(_registry.GetManifest("team/app", "latest"));
    }

    [Fact]
    public async Task The_attachments_blobs_go_up_alongside_the_layers_and_their_manifests_only_after_the_tag()
    {
        var (images, names) = await BuildAsync();
        // Another repository: the app's layer is uploaded again (the base's are mounted).
        names = names with { Repository = "team/elsewhere" };
        var appLayer = images.Images[0].Layers.Last().Descriptor.Digest;
        var sbom = images.Attachments[0].Document.Digest;
        var hold = new HoldUntilSeen(uploadOf: appLayer, until: sbom, new HostRouter(_registry));
        _registry.ClearRequests();

        var (result, warnings) = await PushAsync(images, names, hold);

        Assert.Empty(warnings);
        Assert.Contains("2 referrers attached", result.Summary, StringComparison.Ordinal);
        // The SBOM's blob went up while the app's layer was still being sent.
        Assert.True(hold.SeenWhileHeld);
        var requests = _registry.Requests.Select(r => (r.Method, r.PathAndQuery)).ToList();
        var tagPut = requests.FindIndex(r => r is ("PUT", var path) && path.EndsWith("/manifests/latest", StringComparison.Ordinal));
        Assert.All(images.Attachments, a => Assert.True(requests.FindIndex(r => r is ("PUT", var path) && path.EndsWith("/manifests/" + a.Manifest.Digest, StringComparison.Ordinal)) > tagPut));
    }

    [Fact]
    public async Task An_image_that_fails_to_go_up_puts_no_artifact_manifest_and_leaves_nothing_going()
    {
        var (images, names) = await BuildAsync();
        names = names with { Repository = "team/elsewhere" };
        var appLayer = images.Images[0].Layers.Last().Descriptor.Digest;
        _registry.ClearRequests();

        await Assert.ThrowsAsync<RegistryException>(() => PushAsync(images, names, new RefuseUpload(appLayer, new HostRouter(_registry))));
        var afterwards = _registry.Requests.Count;
        await Task.Delay(200);

        Assert.Equal(0, _registry.Count("PUT", "/manifests/"));
        Assert.Equal(afterwards, _registry.Requests.Count);
    }

    [Fact]
    public async Task A_registry_that_refuses_the_referrers_reads_before_the_image_is_pushed_still_gets_the_attachments()
    {
        var (images, names) = await BuildAsync();
        names = names with { Repository = "team/new" };

        var (result, warnings) = await PushAsync(images, names, new DeniedUntilPushed(new HostRouter(_registry)));

        Assert.Empty(warnings);
        Assert.Contains("2 referrers attached", result.Summary, StringComparison.Ordinal);
        Assert.All(images.Attachments, a => Assert.NotNull(_registry.GetManifest("team/new", a.Manifest.Digest.ToString())));
    }

    /// <summary>A registry that answers 403 to a read of the referrers (the API, the referrers tag) until a manifest is put in the repository.</summary>
    private sealed class DeniedUntilPushed(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private volatile bool _pushed;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            _pushed |= request.Method == HttpMethod.Put && path.Contains("/manifests/", StringComparison.Ordinal);
            return !_pushed && request.Method == HttpMethod.Get && (path.Contains("/manifests/sha256-", StringComparison.Ordinal) || path.Contains("/referrers/", StringComparison.Ordinal))
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.Forbidden)
                {
                    Content = new StringContent("""{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}""", Encoding.UTF8, "application/json"),
                })
                : base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Holds the upload of one blob until another blob's upload arrives (or 10 s pass), and says whether it did.</summary>
    private sealed class HoldUntilSeen(Digest uploadOf, Digest until, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool SeenWhileHeld { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var query = Uri.UnescapeDataString(request.RequestUri!.Query);
            if (request.Method == HttpMethod.Put && query.Contains("digest=" + until, StringComparison.Ordinal))
            {
                _seen.TrySetResult();
            }
            if (request.Method == HttpMethod.Put && query.Contains("digest=" + uploadOf, StringComparison.Ordinal))
            {
                SeenWhileHeld = await Task.WhenAny(_seen.Task, Task.Delay(TimeSpan.FromSeconds(10), cancellationToken)) == _seen.Task;
            }
            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A registry that answers 500 to the upload of one blob.</summary>
    private sealed class RefuseUpload(Digest blob, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => request.Method == HttpMethod.Put && Uri.UnescapeDataString(request.RequestUri!.Query).Contains("digest=" + blob, StringComparison.Ordinal)
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError))
                : base.SendAsync(request, cancellationToken);
    }

    /// <summary>The referrers tag is a list a client keeps: an attachment it names whose manifest is gone is pushed again.</summary>
    [Fact]
    public async Task An_attachment_the_referrers_tag_lists_but_the_registry_lost_is_pushed_again()
    {
        var (images, names) = await BuildAsync();
        await PushAsync(images, names);
        var lost = images.Attachments[0].Manifest.Digest;

        _registry.ClearRequests();
        var (result, warnings) = await PushAsync(images, names, new ManifestGone(lost, new HostRouter(_registry)));

        Assert.Empty(warnings);
        Assert.Contains("2 referrers attached", result.Summary, StringComparison.Ordinal);
        Assert.Equal(1, _registry.Count("PUT", "/manifests/" + lost));
        Assert.Equal(0, _registry.Count("PUT", "/manifests/" + images.Attachments[1].Manifest.Digest));
    }

    /// <summary>A registry that answers 404 for one manifest by digest, as if it were deleted (until it is put again).</summary>
    private sealed class ManifestGone(Digest digest, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private bool _putAgain;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var isIt = request.RequestUri!.AbsolutePath.EndsWith("/manifests/" + digest, StringComparison.Ordinal);
            _putAgain |= isIt && request.Method == HttpMethod.Put;
            return isIt && !_putAgain && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head)
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound))
                : base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task A_registry_that_refuses_artifacts_costs_a_warning_and_the_image_is_tagged()
    {
        var (images, names) = await BuildAsync();

        var (result, warnings) = await PushAsync(images, names, new RefuseSubjects(new HostRouter(_registry)));

        Assert.Equal(images.Digest, _registry.GetManifest("team/app", "latest")!.Digest);
        Assert.Equal(2, warnings.Count);
        var (code, message) = ErrorBoundary.Describe(warnings[0]);
        Assert.Equal(DiagnosticCodes.AttachmentRefused, code);
        Assert.Contains("did not take the SBOM", message, StringComparison.Ordinal);
        Assert.DoesNotContain("referrers attached", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oci_layout_lists_them_as_referrers_and_a_docker_archive_has_them_beside_it()
    {
        var (images, names) = await BuildAsync();
        var context = new DestinationContext(_clients, new LayerReport([], 0));

        var layout = _work.Combine("layout");
        await new OciLayoutDestination(layout).SendAsync(images, names, context, CancellationToken.None);
        await new OciLayoutDestination(layout).SendAsync(images, names, context, CancellationToken.None);
        var entries = JsonNode.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")))!["manifests"]!.AsArray();
        var referrers = entries.Where(e => e!["artifactType"] is not null).ToArray();
        Assert.Equal(2, referrers.Length);
        foreach (var referrer in referrers)
        {
            var artifact = JsonNode.Parse(File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", referrer!["digest"]!.GetValue<string>()[7..])))!;
            Assert.Equal(images.Images[0].Digest.ToString(), artifact["subject"]!["digest"]!.GetValue<string>());
        }
        Assert.True(File.Exists(Path.Combine(layout, "blobs", "sha256", ArtifactManifest.EmptyConfigDescriptor.Digest.Hex)));

        var archive = _work.Combine("app.tar");
        await new ArchiveDestination(archive, ArchiveFormat.Docker, Gzip: false).SendAsync(images, names, context, CancellationToken.None);
        Assert.Equal("""{"spdxVersion":"SPDX-2.3"}""", File.ReadAllText(archive + ".spdx.json"));
        Assert.True(File.Exists(archive + ".intoto.json"));
    }

    [Fact]
    public async Task A_tag_moved_in_an_oci_layout_takes_the_referrers_of_the_image_it_left_and_keeps_every_other()
    {
        var layout = _work.Combine("moving");
        var context = new DestinationContext(_clients, new LayerReport([], 0));
        var (first, names) = await BuildAsync();
        await new OciLayoutDestination(layout).SendAsync(first, names with { Tags = ["latest", "kept"] }, context, CancellationToken.None);
        // Another tool's referrer of an image the layout does not name: not this publish's business.
        var stray = ArtifactManifest.Create("application/vnd.example.signature", ArtifactManifest.EmptyConfigDescriptor,
            new Descriptor(MediaTypes.OciManifest, Digest.Compute("elsewhere"u8.ToArray()), 9), []);
        File.WriteAllBytes(Path.Combine(layout, "blobs", "sha256", stray.Digest.Hex), stray.Bytes);
        var indexPath = Path.Combine(layout, "index.json");
        var withStray = JsonNode.Parse(File.ReadAllBytes(indexPath))!;
        withStray["manifests"]!.AsArray().Add(stray.ToReferrerEntry());
        File.WriteAllText(indexPath, withStray.ToJsonString());

        _work.WriteFile("publish/App.dll", "the app, changed");
        var (second, _) = await BuildAsync();
        // "latest" moves to the second image; "kept" still names the first, then moves too.
        await new OciLayoutDestination(layout).SendAsync(second, names with { Tags = ["latest"] }, context, CancellationToken.None);
        Assert.Equal(Referrers(first).Concat(Referrers(second)).Append(stray.Digest.ToString()).Order(), ListedReferrers());

        await new OciLayoutDestination(layout).SendAsync(second, names with { Tags = ["kept"] }, context, CancellationToken.None);
        Assert.Equal(Referrers(second).Append(stray.Digest.ToString()).Order(), ListedReferrers());

        static IEnumerable<string> Referrers(ImageSet images) => images.Attachments.Select(a => a.Manifest.Digest.ToString());
        IEnumerable<string> ListedReferrers() => JsonNode.Parse(File.ReadAllBytes(indexPath))!["manifests"]!.AsArray()
            .Where(m => m!["artifactType"] is not null).Select(m => m!["digest"]!.GetValue<string>()).Order();
    }

    [Fact]
    public async Task A_registry_with_the_referrers_api_gets_no_referrers_tag_not_even_on_a_republish()
    {
        var (images, names) = await BuildAsync();

        await PushAsync(images, names, new ReferrersApi(new HostRouter(_registry)));
        await PushAsync(images, names, new ReferrersApi(new HostRouter(_registry)));

        Assert.Equal(0, _registry.Count("PUT", "manifests/sha256-"));
        Assert.Null(_registry.GetManifest("team/app", ReferrersIndex.TagFor(images.Images[0].Digest)));
        Assert.All(images.Attachments, a => Assert.NotNull(_registry.GetManifest("team/app", a.Manifest.Digest.ToString())));
    }

    /// <summary>A registry with the referrers API (distribution-spec 1.1): it indexes a manifest's subject itself and says so.</summary>
    private sealed class ReferrersApi(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.Contains("/referrers/", StringComparison.Ordinal))
            {
                var content = new StringContent("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""");
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(MediaTypes.OciIndex);
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
            }
            var hasSubject = request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal)
                && Encoding.UTF8.GetString(await request.Content!.ReadAsByteArrayAsync(cancellationToken)).Contains("\"subject\"", StringComparison.Ordinal);
            var response = await base.SendAsync(request, cancellationToken);
            if (hasSubject)
            {
                response.Headers.Add("OCI-Subject", "sha256:indexed");
            }
            return response;
        }
    }

    /// <summary>A registry that answers 400 to a manifest with a subject (as some older registries do).</summary>
    private sealed class RefuseSubjects(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal)
                && Encoding.UTF8.GetString(await request.Content!.ReadAsByteArrayAsync(cancellationToken)).Contains("\"subject\"", StringComparison.Ordinal))
            {
                return new HttpResponseMessage(HttpStatusCode.BadRequest)
                {
                    Content = new StringContent("""{"errors":[{"code":"MANIFEST_INVALID","message":"unknown field subject"}]}""", Encoding.UTF8, "application/json"),
                };
            }
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
