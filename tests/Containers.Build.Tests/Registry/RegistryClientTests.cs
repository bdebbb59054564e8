using Containers.Build.Images;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Registry;

public class RegistryClientTests
{
    private static RegistryClient CreateClient(FakeHttpHandler handler, Dictionary<string, string>? environment = null)
    {
        var factory = new RegistryClientFactory(handler, name => environment?.GetValueOrDefault(name));
        return factory.Create(RegistryHost.Parse("registry.test"), Containers.Build.Registry.Auth.RegistryAccess.Push);
    }

    private static HttpResponseMessage Challenge(string scheme, string parameters)
    {
        var challenge = FakeHttpHandler.Status(HttpStatusCode.Unauthorized);
        challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue(scheme, parameters));
        return challenge;
    }

    [Fact]
    public async Task Answers_a_bearer_challenge_with_a_token_for_the_requested_scope()
    {
        var handler = new FakeHttpHandler(request =>
        {
            if (request.RequestUri!.Host == "auth.test")
            {
                return FakeHttpHandler.Status(HttpStatusCode.OK, """{"access_token":"tok-123","expires_in":300}""");
            }
            return request.Headers.Authorization?.ToString() == "Bearer tok-123"
                ? FakeHttpHandler.Status(HttpStatusCode.OK)
                : Challenge("Bearer", "realm=\"https://auth.test/token\",service=\"registry.test\",scope=\"repository:app:pull\"");
        });
        var client = CreateClient(handler, new() { ["DOTNET_CONTAINER_REGISTRY_UNAME"] = "user", ["DOTNET_CONTAINER_REGISTRY_PWORD"] = "secret" });

        Assert.True(await client.BlobExistsAsync("app", Digest.Compute("x"u8), CancellationToken.None));
        Assert.True(await client.BlobExistsAsync("app", Digest.Compute("y"u8), CancellationToken.None));

        var tokenRequest = Assert.Single(handler.Requests, r => r.Uri.Host == "auth.test");
        Assert.Contains("service=registry.test", tokenRequest.Uri.Query, StringComparison.Ordinal);
        Assert.Contains("scope=repository%3Aapp%3Apull%2Cpush", tokenRequest.Uri.Query, StringComparison.Ordinal);
        Assert.Equal("Basic " + Convert.ToBase64String("user:secret"u8.ToArray()), tokenRequest.Authorization);
        // The second request reuses the token: one challenge, one token request in all.
        Assert.Equal(4, handler.Requests.Count);
        Assert.Equal("Bearer tok-123", handler.Requests[^1].Authorization);
    }

    [Fact]
    public async Task Refuses_a_token_realm_on_plain_http()
    {
        var handler = new FakeHttpHandler(_ => Challenge("Bearer", "realm=\"http://auth.test/token\""));
        var error = await Assert.ThrowsAsync<TokenRealmRefusedException>(() => CreateClient(handler).BlobExistsAsync("app", Digest.Compute("x"u8), CancellationToken.None));
        Assert.Contains("plain http", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(handler.Requests, r => r.Uri.Host == "auth.test");
    }

    [Fact]
    public async Task Uploads_to_the_location_as_given_keeping_its_query()
    {
        var content = Encoding.UTF8.GetBytes("layer bytes");
        var descriptor = new Descriptor(MediaTypes.OciLayerGzip, Digest.Compute(content), content.Length);
        var handler = new FakeHttpHandler(request =>
        {
            if (request.Method == HttpMethod.Post)
            {
                var accepted = FakeHttpHandler.Status(HttpStatusCode.Accepted);
                accepted.Headers.Location = new Uri("/v2/app/blobs/uploads/abc?_state=xyz%2B1", UriKind.Relative);
                return accepted;
            }
            return FakeHttpHandler.Status(HttpStatusCode.Created);
        });

        await CreateClient(handler).UploadBlobAsync("app", descriptor, () => new MemoryStream(content), CancellationToken.None);

        var put = Assert.Single(handler.Requests, r => r.Method == HttpMethod.Put);
        Assert.Equal($"https://registry.test/v2/app/blobs/uploads/abc?_state=xyz%2B1&digest={Uri.EscapeDataString(descriptor.Digest.ToString())}", put.Uri.AbsoluteUri);
        Assert.Equal(content, put.Body);
    }

    [Fact]
    public async Task A_mount_answered_with_an_upload_session_is_cancelled_and_reported_as_not_mounted()
    {
        var handler = new FakeHttpHandler(request =>
        {
            if (request.Method == HttpMethod.Post)
            {
                var accepted = FakeHttpHandler.Status(HttpStatusCode.Accepted);
                accepted.Headers.Location = new Uri("https://registry.test/v2/app/blobs/uploads/s1");
                return accepted;
            }
            return FakeHttpHandler.Status(HttpStatusCode.NoContent);
        });
        var digest = Digest.Compute("base"u8);

        Assert.False(await CreateClient(handler).TryMountBlobAsync("app", digest, "dotnet/aspnet", CancellationToken.None));
        Assert.Contains($"mount={digest}&from=dotnet%2Faspnet", handler.Requests[0].Uri.Query, StringComparison.Ordinal);
        Assert.Equal(HttpMethod.Delete, handler.Requests[^1].Method);
        Assert.Equal("/v2/app/blobs/uploads/s1", handler.Requests[^1].Uri.AbsolutePath);
    }

    [Fact]
    public async Task A_manifest_fetched_by_digest_must_have_that_digest()
    {
        var handler = new FakeHttpHandler(_ => FakeHttpHandler.Status(HttpStatusCode.OK, """{"schemaVersion":2}"""));
        var wanted = Digest.Compute("something else"u8);
        var error = await Assert.ThrowsAsync<RegistryException>(() => CreateClient(handler).GetManifestAsync("app", wanted.ToString(), CancellationToken.None));
        Assert.Contains("not what was asked for", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupted_blob_is_refused_and_not_stored()
    {
        var expected = Encoding.UTF8.GetBytes("the real blob");
        var descriptor = new Descriptor(MediaTypes.OciLayerGzip, Digest.Compute(expected), expected.Length);
        var handler = new FakeHttpHandler(_ => FakeHttpHandler.Status(HttpStatusCode.OK, "the fake blob"));
        using var storeDirectory = new TempDirectory();
        var store = new ContentStore(storeDirectory.Path);

        await Assert.ThrowsAsync<BlobDigestMismatchException>(() => new RegistryLayer(descriptor, CreateClient(handler), "app", store).GetFileAsync(CancellationToken.None));
        Assert.False(store.Contains(descriptor.Digest));
        Assert.Empty(Directory.GetFiles(Path.Combine(store.Root, "blobs", "sha256")));
    }

    [Fact]
    public async Task Registry_error_bodies_become_the_message()
    {
        var handler = new FakeHttpHandler(_ => FakeHttpHandler.Status(HttpStatusCode.BadRequest,
            """{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:..."}]}"""));
        var error = await Assert.ThrowsAsync<RegistryException>(() =>
            CreateClient(handler).PutManifestAsync("app", "latest", "{}"u8.ToArray(), MediaTypes.OciManifest, CancellationToken.None));
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", Assert.Single(error.Errors).Code);
        Assert.Contains("MANIFEST_BLOB_UNKNOWN: blob unknown to registry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_basic_challenge_without_credentials_says_how_to_give_them()
    {
        var handler = new FakeHttpHandler(_ => Challenge("Basic", "realm=\"registry\""));
        var error = await Assert.ThrowsAnyAsync<RegistryException>(() => CreateClient(handler).BlobExistsAsync("app", Digest.Compute("x"u8), CancellationToken.None));
        Assert.True(error.IsAuthenticationFailure);
        Assert.Contains("DOTNET_CONTAINER_REGISTRY_UNAME", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bearer", "realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/ubuntu:pull\"", "https://auth.docker.io/token", "registry.docker.io", "repository:library/ubuntu:pull")]
    [InlineData("Bearer", "realm=https://a/t, service=svc", "https://a/t", "svc", null)]
    [InlineData("Bearer", "realm=\"https://a/t\",scope=\"repository:x:pull repository:y:pull,push\"", "https://a/t", null, "repository:x:pull repository:y:pull,push")]
    public void Parses_challenges(string scheme, string parameters, string realm, string? service, string? scope)
    {
        var challenge = Containers.Build.Registry.Auth.AuthenticationChallenge.Parse(scheme, parameters)!;
        Assert.Equal(realm, challenge.Realm);
        Assert.Equal(service, challenge.Service);
        Assert.Equal(scope, challenge.Scope);
    }
}
