using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Images;

public class BaseImageResolverTests : IDisposable
{
    private readonly TempDirectory _store = new("cb-base-store");

    public void Dispose() => _store.Dispose();

    private sealed record FakeBase(FakeHttpHandler Handler, Digest ManifestDigest);

    private static FakeBase CreateRegistry(string architecture = "amd64")
    {
        var config = Encoding.UTF8.GetBytes($$$"""{"architecture":"{{{architecture}}}","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]}}""");
        var configDigest = Digest.Compute(config);
        var manifest = Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.OciManifest}}}","config":{"mediaType":"{{{MediaTypes.OciConfig}}}","digest":"{{{configDigest}}}","size":{{{config.Length}}}},"layers":[]}""");
        var manifestDigest = Digest.Compute(manifest);
        var index = Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.OciIndex}}}","manifests":[{"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"{{{manifestDigest}}}","size":{{{manifest.Length}}},"platform":{"os":"linux","architecture":"{{{architecture}}}"}}]}""");

        var handler = new FakeHttpHandler(request =>
        {
            var path = request.RequestUri!.AbsolutePath;
            (byte[] Body, string Type)? answer = path switch
            {
                "/v2/" => ([], "application/json"),
                "/v2/dotnet/aspnet/manifests/10.0" => (index, MediaTypes.OciIndex),
                _ when path == $"/v2/dotnet/aspnet/manifests/{manifestDigest}" => (manifest, MediaTypes.OciManifest),
                _ when path == $"/v2/dotnet/aspnet/blobs/{configDigest}" => (config, "application/octet-stream"),
                _ => null,
            };
            if (answer is null)
            {
                return FakeHttpHandler.Status(HttpStatusCode.NotFound);
            }
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(answer.Value.Body) };
            response.Content.Headers.ContentType = new MediaTypeHeaderValue(answer.Value.Type);
            return response;
        });
        return new FakeBase(handler, manifestDigest);
    }

    private static RegistryClient Client(FakeHttpHandler handler)
        => new RegistryClientFactory(handler, _ => null).Create(RegistryHost.Parse("registry.test"), Containers.Build.Registry.Auth.RegistryAccess.Pull);

    [Fact]
    public async Task An_index_is_narrowed_and_what_is_named_by_digest_is_read_once()
    {
        var registry = CreateRegistry();
        var store = new ContentStore(_store.Path);
        var reference = ImageReference.Parse("registry.test/dotnet/aspnet:10.0");

        var first = await BaseImageResolver.ResolveAsync(Client(registry.Handler), reference, Platform.LinuxAmd64, store, CancellationToken.None);
        Assert.Equal(registry.ManifestDigest, first.Manifest.Digest);
        Assert.Equal(3, registry.Handler.Requests.Count(r => r.Method == HttpMethod.Get && r.Uri.AbsolutePath != "/v2/"));

        registry.Handler.Requests.Clear();
        var second = await BaseImageResolver.ResolveAsync(Client(registry.Handler), reference, Platform.LinuxAmd64, store, CancellationToken.None);
        Assert.Equal(first.Manifest.Digest, second.Manifest.Digest);
        Assert.Equal(first.Config.Digest, second.Config.Digest);
        // Only the tag is resolved again: the manifest and config come from the store by digest.
        var request = Assert.Single(registry.Handler.Requests, r => r.Uri.AbsolutePath != "/v2/");
        Assert.Equal("/v2/dotnet/aspnet/manifests/10.0", request.Uri.AbsolutePath);
    }

    [Fact]
    public async Task A_base_without_the_platform_says_which_it_has()
    {
        var registry = CreateRegistry(architecture: "arm64");
        var error = await Assert.ThrowsAsync<PlatformNotFoundException>(() => BaseImageResolver.ResolveAsync(
            Client(registry.Handler), ImageReference.Parse("registry.test/dotnet/aspnet:10.0"), Platform.LinuxAmd64, new ContentStore(_store.Path), CancellationToken.None));
        Assert.Contains("linux/amd64", error.Message, StringComparison.Ordinal);
        Assert.Contains("linux/arm64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_base_is_reported_as_not_found()
    {
        var registry = CreateRegistry();
        await Assert.ThrowsAsync<BaseImageNotFoundException>(() => BaseImageResolver.ResolveAsync(
            Client(registry.Handler), ImageReference.Parse("registry.test/dotnet/aspnet:9.0"), Platform.LinuxAmd64, new ContentStore(_store.Path), CancellationToken.None));
    }
}
