using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Containers.Build.Model;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Registry;

/// <summary>
/// The real <see cref="RegistryClient"/> against <see cref="InMemoryRegistry"/>: the push and pull protocol end
/// to end without a registry process, and the in-memory registry's own strictness (a fake that accepted
/// anything would let client bugs through).
/// </summary>
public class InMemoryRegistryTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    // No retries: the registry never fails transiently, and request counts stay exact.
    private static RegistryClient Client(InMemoryRegistry registry, string? user = null, string? password = null, long chunkSize = RegistryClient.DefaultChunkSize)
        => new RegistryClientFactory(handler: registry, getEnvironmentVariable: InMemoryRegistry.Environment(user, password))
            {
                Retry = RetryPolicy.None,
                ChunkSize = chunkSize,
            }
            .Create(registry.Registry, RegistryAccess.Push);

    private static (Descriptor Descriptor, byte[] Content) Blob(string mediaType, int size, int seed)
    {
        var content = new byte[size];
        new Random(seed).NextBytes(content);
        return (new Descriptor(mediaType, Digest.Compute(content), size), content);
    }

    private static Task Upload(RegistryClient client, string repository, (Descriptor Descriptor, byte[] Content) blob)
        => client.UploadBlobAsync(repository, blob.Descriptor, () => new MemoryStream(blob.Content), None);

    private static JsonObject ToJson(Descriptor d) => new() { ["mediaType"] = d.MediaType, ["digest"] = d.Digest.ToString(), ["size"] = d.Size };

    private static byte[] ImageManifest(Descriptor config, params Descriptor[] layers) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["schemaVersion"] = 2,
        ["mediaType"] = MediaTypes.OciManifest,
        ["config"] = ToJson(config),
        ["layers"] = new JsonArray(layers.Select(l => (JsonNode)ToJson(l)).ToArray()),
    }.ToJsonString());

    /// <summary>Uploads a config and one layer through the client and returns a manifest naming them.</summary>
    private static async Task<byte[]> PushImageBlobs(RegistryClient client, string repository, int seed)
    {
        var config = Blob(MediaTypes.OciConfig, 200, seed);
        var layer = Blob(MediaTypes.OciLayerGzip, 3000, seed + 1);
        await Upload(client, repository, config);
        await Upload(client, repository, layer);
        return ImageManifest(config.Descriptor, layer.Descriptor);
    }

    [Fact]
    public async Task The_client_probes_https_once_then_speaks_plain_http_to_the_loopback_registry()
    {
        var registry = new InMemoryRegistry();
        Assert.True(new RegistryClientFactory(registry, InMemoryRegistry.Environment()).MayUsePlainHttp(registry.Registry));

        Assert.False(await Client(registry).BlobExistsAsync("app", Digest.Compute("x"u8), None));

        Assert.Collection(registry.Requests,
            probe => Assert.Equal(("GET", "https", "/v2/", (HttpStatusCode?)null), (probe.Method, probe.Scheme, probe.PathAndQuery, probe.Status)),
            head => Assert.Equal(("HEAD", "http", (HttpStatusCode?)HttpStatusCode.NotFound), (head.Method, head.Scheme, head.Status)));
    }

    [Fact]
    public async Task A_manifest_put_by_tag_reads_back_by_tag_and_by_digest_with_its_bytes_and_type()
    {
        var registry = new InMemoryRegistry();
        var client = Client(registry);
        var manifest = await PushImageBlobs(client, "app", seed: 1);

        await client.PutManifestAsync("app", "1.0", manifest, MediaTypes.OciManifest, None);

        var byTag = await client.GetManifestAsync("app", "1.0", None);
        Assert.NotNull(byTag);
        Assert.Equal(manifest, byTag.Bytes);
        Assert.Equal(MediaTypes.OciManifest, byTag.ContentType);
        Assert.Equal(Digest.Compute(manifest), byTag.Digest);
        Assert.Equal(Digest.Compute(manifest), await client.GetManifestDigestAsync("app", "1.0", None));
        Assert.Equal(manifest, (await client.GetManifestAsync("app", Digest.Compute(manifest).ToString(), None))?.Bytes);
        Assert.Equal(["1.0"], registry.Tags("app"));
        Assert.Equal(manifest, registry.GetManifest("app", "1.0")?.Bytes);

        Assert.Null(await client.GetManifestAsync("app", "2.0", None));
        Assert.Null(await client.GetManifestDigestAsync("other", "1.0", None));
    }

    [Fact]
    public async Task A_manifest_put_by_digest_is_not_tagged_and_must_match_its_digest()
    {
        var registry = new InMemoryRegistry();
        var client = Client(registry);
        var manifest = await PushImageBlobs(client, "app", seed: 2);
        var digest = Digest.Compute(manifest);

        await client.PutManifestAsync("app", digest.ToString(), manifest, MediaTypes.OciManifest, None);
        Assert.Equal(manifest, (await client.GetManifestAsync("app", digest.ToString(), None))?.Bytes);
        Assert.Empty(registry.Tags("app"));

        var wrong = Digest.Compute("something else"u8).ToString();
        var error = await Assert.ThrowsAsync<RegistryException>(() => client.PutManifestAsync("app", wrong, manifest, MediaTypes.OciManifest, None));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("DIGEST_INVALID", Assert.Single(error.Errors).Code);
        Assert.Null(registry.GetManifest("app", wrong));
    }

    [Fact]
    public async Task A_manifest_whose_layer_is_only_in_another_repository_is_refused_with_MANIFEST_BLOB_UNKNOWN()
    {
        var registry = new InMemoryRegistry();
        var client = Client(registry);
        var config = Blob(MediaTypes.OciConfig, 100, 3);
        var layer = Blob(MediaTypes.OciLayerGzip, 100, 4);
        await Upload(client, "app", config);
        registry.PutBlob("base", layer.Content);

        var error = await Assert.ThrowsAsync<RegistryException>(() =>
            client.PutManifestAsync("app", "latest", ImageManifest(config.Descriptor, layer.Descriptor), MediaTypes.OciManifest, None));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        var unknown = Assert.Single(error.Errors);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", unknown.Code);
        Assert.Contains(layer.Descriptor.Digest.ToString(), unknown.Message, StringComparison.Ordinal);
        Assert.Empty(registry.Tags("app"));
    }

    [Fact]
    public async Task A_blob_exists_only_in_the_repositories_it_was_put_in()
    {
        var registry = new InMemoryRegistry();
        var digest = registry.PutBlob("dotnet/aspnet", "base layer"u8.ToArray());
        var client = Client(registry);

        Assert.True(await client.BlobExistsAsync("dotnet/aspnet", digest, None));
        Assert.False(await client.BlobExistsAsync("app", digest, None));
        Assert.False(await client.BlobExistsAsync("dotnet/aspnet", Digest.Compute("other"u8), None));
    }

    [Fact]
    public async Task A_blob_no_larger_than_the_chunk_size_goes_up_in_one_PUT_and_reads_back()
    {
        var registry = new InMemoryRegistry();
        var client = Client(registry, chunkSize: 4096);
        var blob = Blob(MediaTypes.OciConfig, 4096, 5);

        await Upload(client, "app", blob);

        Assert.Equal(1, registry.Count("POST", "^/v2/app/blobs/uploads/$"));
        Assert.Equal(0, registry.Count("PATCH", "."));
        var put = Assert.Single(registry.Requests, r => r.Method == "PUT");
        Assert.Contains($"digest={Uri.EscapeDataString(blob.Descriptor.Digest.ToString())}", put.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(4096, put.BodyBytes);
        Assert.Equal(HttpStatusCode.Created, put.Status);
        Assert.Contains(blob.Descriptor.Digest, registry.BlobsIn("app"));
        Assert.Equal(0, registry.OpenUploads);
        Assert.Equal(blob.Content, await client.GetSmallBlobAsync("app", blob.Descriptor, None));
    }

    [Fact]
    public async Task A_blob_larger_than_the_chunk_size_goes_up_in_PATCH_chunks_each_to_the_latest_location()
    {
        var registry = new InMemoryRegistry();
        var blob = Blob(MediaTypes.OciLayerGzip, 2500, 6);

        // 1000 bytes is far below what ContainerUploadChunkSize accepts: only the property's parser has that floor.
        await Upload(Client(registry, chunkSize: 1000), "app", blob);

        var patches = registry.Requests.Where(r => r.Method == "PATCH").ToArray();
        Assert.Equal(["0-999", "1000-1999", "2000-2499"], patches.Select(p => p.ContentRange));
        Assert.All(patches, p => Assert.Equal(HttpStatusCode.Accepted, p.Status));
        // Each PATCH carried the state of the response before it (the registry refuses a stale one).
        Assert.Equal(3, patches.Select(p => p.PathAndQuery).Distinct().Count());
        var put = Assert.Single(registry.Requests, r => r.Method == "PUT");
        Assert.Equal((0L, (HttpStatusCode?)HttpStatusCode.Created), (put.BodyBytes, put.Status));
        Assert.Equal(blob.Content, registry.GetBlob(blob.Descriptor.Digest));
        Assert.Equal(0, registry.OpenUploads);
    }

    [Fact]
    public async Task OCI_Chunk_Min_Length_raises_the_chunk_size()
    {
        var registry = new InMemoryRegistry { ChunkMinLength = 2048 };
        var blob = Blob(MediaTypes.OciLayerGzip, 5000, 7);

        await Upload(Client(registry, chunkSize: 1000), "app", blob);

        Assert.Equal(["0-2047", "2048-4095", "4096-4999"], registry.Requests.Where(r => r.Method == "PATCH").Select(p => p.ContentRange));
        Assert.Equal(blob.Content, registry.GetBlob(blob.Descriptor.Digest));
    }

    [Fact]
    public async Task A_blob_within_OCI_Chunk_Min_Length_goes_up_in_one_PUT()
    {
        var registry = new InMemoryRegistry { ChunkMinLength = 2048 };
        var blob = Blob(MediaTypes.OciLayerGzip, 1500, 8);

        await Upload(Client(registry, chunkSize: 1000), "app", blob);

        Assert.Equal(0, registry.Count("PATCH", "."));
        Assert.Equal(1500, Assert.Single(registry.Requests, r => r.Method == "PUT").BodyBytes);
    }

    [Fact]
    public async Task A_blob_whose_content_does_not_match_its_digest_is_refused_and_its_session_deleted()
    {
        var registry = new InMemoryRegistry();
        var blob = Blob(MediaTypes.OciLayerGzip, 300, 9);
        var lying = blob.Descriptor with { Digest = Digest.Compute("not the content"u8) };

        var error = await Assert.ThrowsAsync<RegistryException>(() => Client(registry).UploadBlobAsync("app", lying, () => new MemoryStream(blob.Content), None));

        Assert.Equal("DIGEST_INVALID", Assert.Single(error.Errors).Code);
        Assert.Empty(registry.BlobsIn("app"));
        Assert.Equal(0, registry.OpenUploads);
    }

    [Fact]
    public async Task A_mount_from_a_repository_that_has_the_blob_links_it_without_an_upload()
    {
        var registry = new InMemoryRegistry();
        var digest = registry.PutBlob("dotnet/aspnet", "base layer"u8.ToArray());
        var client = Client(registry);

        Assert.True(await client.TryMountBlobAsync("app", digest, "dotnet/aspnet", None));

        Assert.Equal(1, registry.Count("POST", $"^/v2/app/blobs/uploads/\\?mount={digest}&from=dotnet%2Faspnet$"));
        Assert.Equal(0, registry.Count(null, "^/v2/app/blobs/uploads/[^?]"));
        Assert.True(await client.BlobExistsAsync("app", digest, None));
        Assert.Equal(0, registry.OpenUploads);
    }

    [Fact]
    public async Task A_mount_from_a_repository_without_the_blob_falls_back_and_the_offered_session_is_deleted()
    {
        var registry = new InMemoryRegistry();
        var blob = Blob(MediaTypes.OciLayerGzip, 500, 10);
        registry.PutBlob("elsewhere", blob.Content);
        var client = Client(registry);

        Assert.False(await client.TryMountBlobAsync("app", blob.Descriptor.Digest, "dotnet/aspnet", None));

        Assert.Equal(1, registry.Count("DELETE", "^/v2/app/blobs/uploads/[0-9a-f]+\\?_state="));
        Assert.Equal(0, registry.OpenUploads);
        Assert.False(await client.BlobExistsAsync("app", blob.Descriptor.Digest, None));

        await Upload(client, "app", blob);
        Assert.True(await client.BlobExistsAsync("app", blob.Descriptor.Digest, None));
    }

    [Fact]
    public async Task Parallel_chunked_uploads_all_arrive()
    {
        var registry = new InMemoryRegistry { ChunkMinLength = 700 };
        var client = Client(registry, chunkSize: 512);
        var blobs = Enumerable.Range(0, 8).Select(i => Blob(MediaTypes.OciLayerGzip, 1000 + 337 * i, 100 + i)).ToArray();

        await Task.WhenAll(blobs.Select(b => Task.Run(() => Upload(client, "app", b))));

        Assert.All(blobs, b => Assert.Equal(b.Content, registry.GetBlob(b.Descriptor.Digest)));
        Assert.True(registry.BlobsIn("app").SetEquals(blobs.Select(b => b.Descriptor.Digest)));
        Assert.Equal(0, registry.OpenUploads);
    }

    [Fact]
    public async Task Basic_authentication_round_trip()
    {
        var registry = new InMemoryRegistry { Auth = new InMemoryRegistryAuth.Basic("alice", "s3cret") };
        var client = Client(registry, "alice", "s3cret");
        var manifest = await PushImageBlobs(client, "app", seed: 11);

        await client.PutManifestAsync("app", "latest", manifest, MediaTypes.OciManifest, None);
        Assert.Equal(manifest, (await client.GetManifestAsync("app", "latest", None))?.Bytes);

        // One challenge, then Basic on every request.
        var http = registry.Requests.Where(r => r.Scheme == "http").ToArray();
        Assert.Equal(1, http.Count(r => r.Status == HttpStatusCode.Unauthorized));
        Assert.False(http[0].HadAuthorization);
        Assert.All(http.Skip(1), r => Assert.Equal("Basic", r.AuthorizationScheme));
    }

    [Fact]
    public async Task Bearer_authentication_round_trip_with_the_token_service_on_the_registry_host()
    {
        var registry = new InMemoryRegistry { Auth = new InMemoryRegistryAuth.Bearer("bob", "hunter2") };
        var baseLayer = registry.PutBlob("dotnet/aspnet", "base layer"u8.ToArray());
        var client = Client(registry, "bob", "hunter2");
        var manifest = await PushImageBlobs(client, "app", seed: 12);

        Assert.True(await client.TryMountBlobAsync("app", baseLayer, "dotnet/aspnet", None));
        await client.PutManifestAsync("app", "latest", manifest, MediaTypes.OciManifest, None);
        Assert.Equal(manifest, (await client.GetManifestAsync("app", "latest", None))?.Bytes);

        var tokens = registry.Requests.Where(r => r.Path == "/token").ToArray();
        Assert.All(tokens, t => Assert.Equal(("GET", (string?)"Basic", (HttpStatusCode?)HttpStatusCode.OK), (t.Method, t.AuthorizationScheme, t.Status)));
        Assert.Contains(tokens, t => t.PathAndQuery.Contains("scope=repository%3Aapp%3Apull%2Cpush", StringComparison.Ordinal));
        // The mount's token also covers pulling from the source repository.
        Assert.Contains(tokens, t => t.PathAndQuery.Contains("scope=repository%3Adotnet%2Faspnet%3Apull", StringComparison.Ordinal));
        Assert.All(registry.Requests.Where(r => r.Path.StartsWith("/v2/", StringComparison.Ordinal) && r.Status != HttpStatusCode.Unauthorized && r.Scheme == "http"),
            r => Assert.Equal("Bearer", r.AuthorizationScheme));
        Assert.Contains(baseLayer, registry.BlobsIn("app"));
    }

    [Theory]
    [InlineData("basic")]
    [InlineData("bearer")]
    public async Task A_wrong_password_is_an_authentication_failure(string mode)
    {
        InMemoryRegistryAuth auth = mode == "basic" ? new InMemoryRegistryAuth.Basic("alice", "s3cret") : new InMemoryRegistryAuth.Bearer("alice", "s3cret");
        var registry = new InMemoryRegistry { Auth = auth };

        var error = await Assert.ThrowsAnyAsync<RegistryException>(() => Client(registry, "alice", "wrong").GetManifestAsync("app", "latest", None));

        Assert.True(error.IsAuthenticationFailure, error.Message);
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task Anonymous_requests_to_an_authenticating_registry_are_refused()
    {
        var registry = new InMemoryRegistry { Auth = new InMemoryRegistryAuth.Bearer("alice", "s3cret") };

        var error = await Assert.ThrowsAnyAsync<RegistryException>(() => Client(registry).BlobExistsAsync("app", Digest.Compute("x"u8), None));

        Assert.True(error.IsAuthenticationFailure, error.Message);
        var token = Assert.Single(registry.Requests, r => r.Path == "/token");
        Assert.False(token.HadAuthorization);
    }

    /// <summary>Requests a correct client never sends, sent by hand: the registry must refuse them as a real one does.</summary>
    [Fact]
    public async Task The_registry_refuses_stale_locations_gaps_short_chunks_and_wrong_digests()
    {
        var registry = new InMemoryRegistry { ChunkMinLength = 4 };
        using var http = new HttpClient(registry) { BaseAddress = new Uri($"http://{registry.Host}/") };

        async Task<HttpResponseMessage> Patch(Uri location, string range, byte[] bytes)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.TryAddWithoutValidation("Content-Range", range);
            return await http.SendAsync(new HttpRequestMessage(HttpMethod.Patch, location) { Content = content });
        }

        var start = await http.PostAsync("v2/app/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        Assert.Equal("4", start.Headers.GetValues("OCI-Chunk-Min-Length").Single());
        var first = start.Headers.Location!;
        Assert.False(first.IsAbsoluteUri);

        var patched = await Patch(first, "0-4", "hello"u8.ToArray());
        Assert.Equal(HttpStatusCode.Accepted, patched.StatusCode);
        Assert.Equal("0-4", patched.Headers.GetValues("Range").Single());
        var second = patched.Headers.Location!;

        Assert.Equal(HttpStatusCode.BadRequest, (await Patch(first, "5-9", "world"u8.ToArray())).StatusCode);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await Patch(second, "6-10", "world"u8.ToArray())).StatusCode);
        var shortChunk = await Patch(second, "5-6", "wo"u8.ToArray());
        Assert.Equal(HttpStatusCode.Accepted, shortChunk.StatusCode);
        var third = shortChunk.Headers.Location!;
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await Patch(third, "7-9", "rld"u8.ToArray())).StatusCode);

        var status = await http.GetAsync(third);
        Assert.Equal((HttpStatusCode.NoContent, "0-6"), (status.StatusCode, status.Headers.GetValues("Range").Single()));

        var wrongDigest = await http.PutAsync(new Uri(status.Headers.Location + "&digest=" + Uri.EscapeDataString(Digest.Compute("hello"u8).ToString()), UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.BadRequest, wrongDigest.StatusCode);
        Assert.Contains("DIGEST_INVALID", await wrongDigest.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, registry.OpenUploads);
        Assert.Empty(registry.BlobsIn("app"));

        var manifest = new ByteArrayContent("{\"schemaVersion\":2}"u8.ToArray());
        manifest.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PutAsync("v2/App/manifests/latest", manifest)).StatusCode);
        var missing = await http.GetAsync("v2/app/manifests/latest");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", RegistryError.ParseBody(await missing.Content.ReadAsStringAsync()).Single().Code);
    }
}
