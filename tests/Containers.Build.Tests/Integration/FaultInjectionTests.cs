using Containers.Build.Images;
using System.Net;
using System.Security.Cryptography;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// The registry client against the real registry with a fault-injecting proxy in between: each case asserts
/// the outcome and what the proxy saw (attempts, resume offsets, where credentials went).
/// </summary>
public class FaultInjectionTests
{
    private static readonly RetryPolicy QuickRetry = new() { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(100), MaxRetryAfter = TimeSpan.FromSeconds(2) };

    private static RegistryClient Client(FaultProxy proxy, long chunkSize = 1024 * 1024, Func<string, string?>? environment = null)
        => new RegistryClientFactory(getEnvironmentVariable: environment ?? (_ => null)) { Retry = QuickRetry, ChunkSize = chunkSize }
            .Create(RegistryHost.Parse(proxy.Address), RegistryAccess.Push);

    private static (byte[] Content, Descriptor Descriptor) RandomBlob(int size)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        return (content, new Descriptor(MediaTypes.OciLayerGzip, Digest.Compute(content), size));
    }

    private static async Task AssertBlobInRegistryAsync(string repository, byte[] content)
    {
        using var http = new HttpClient();
        var bytes = await http.GetByteArrayAsync($"http://{TestEnvironment.Registry}/v2/{repository}/blobs/{Digest.Compute(content)}");
        Assert.Equal(content, bytes);
    }

    [IntegrationFact]
    public async Task A_5xx_once_is_retried_and_a_5xx_forever_gives_up_after_the_bounded_attempts()
    {
        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        var repository = TestEnvironment.UniqueRepository("fault5xx");
        var (content, descriptor) = RandomBlob(1000);
        proxy.Faults = (request, n) => request.Method == "POST" && n == 1 ? new Fault.Answer(HttpStatusCode.ServiceUnavailable) : null;

        await Client(proxy).UploadBlobAsync(repository, descriptor, () => new MemoryStream(content), CancellationToken.None);
        await AssertBlobInRegistryAsync(repository, content);
        Assert.Equal(2, proxy.Count("POST", "/blobs/uploads/"));

        proxy.Faults = (request, _) => request.Method == "PUT" && request.Path.Value!.Contains("/manifests/") ? new Fault.Answer(HttpStatusCode.BadGateway) : null;
        var error = await Assert.ThrowsAsync<RegistryException>(() => Client(proxy).PutManifestAsync(repository, "latest", "{}"u8.ToArray(), MediaTypes.OciManifest, CancellationToken.None));
        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Equal(QuickRetry.MaxAttempts, proxy.Count("PUT", "/manifests/latest"));
    }

    [IntegrationFact]
    public async Task A_429_with_retry_after_is_waited_out_and_400s_are_never_retried()
    {
        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        var repository = TestEnvironment.UniqueRepository("fault429");
        proxy.Faults = (request, n) => request.Method == "HEAD" && n == 1 ? new Fault.Answer(HttpStatusCode.TooManyRequests, RetryAfter: TimeSpan.FromSeconds(1)) : null;
        var started = DateTime.UtcNow;
        Assert.False(await Client(proxy).BlobExistsAsync(repository, Digest.Compute("nothing"u8), CancellationToken.None));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(900));
        Assert.Equal(2, proxy.Count("HEAD", "/blobs/"));

        // The real registry's own 400 (a manifest naming blobs it lacks): one attempt, its error quoted.
        proxy.Faults = (_, _) => null;
        var manifest = ImageManifest.Create(ImageFormat.Oci, new Descriptor(MediaTypes.OciConfig, Digest.Compute("missing"u8), 7), []);
        var error = await Assert.ThrowsAsync<RegistryException>(() => Client(proxy).PutManifestAsync(repository, "latest", manifest.Bytes, manifest.MediaType, CancellationToken.None));
        Assert.Contains("MANIFEST_BLOB_UNKNOWN", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, proxy.Count("PUT", "/manifests/latest"));
    }

    // The distribution registry signs the upload's state (and offset) into each Location: after a reset or a
    // lost answer, the Location the client still has no longer matches, and the registry cannot say where
    // the session stands. The client asks (GET), then starts over in a new session. (Resuming at the offset
    // a registry reports is covered against a scripted registry in RetryAndUploadTests.)
    [IntegrationFact]
    public async Task A_connection_reset_mid_patch_asks_the_registry_then_completes()
    {
        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        var repository = TestEnvironment.UniqueRepository("faultreset");
        var (content, descriptor) = RandomBlob(3_000_000);
        // The second chunk: 300000 bytes reach the registry, then the connection drops.
        proxy.Faults = (request, n) => request.Method == "PATCH" && n == 2 ? new Fault.ResetAfterBodyBytes(300_000) : null;

        await Client(proxy).UploadBlobAsync(repository, descriptor, () => new MemoryStream(content), CancellationToken.None);

        await AssertBlobInRegistryAsync(repository, content);
        Assert.Equal(1, proxy.Count("GET", "/blobs/uploads/"));
        Assert.Equal(2, proxy.Count("POST", "/blobs/uploads/"));
        Assert.Equal(["0-1048575", "1048576-2097151", "0-1048575", "1048576-2097151", "2097152-2999999"],
            proxy.Seen.Where(r => r.Method == "PATCH").Select(r => r.ContentRange ?? ""));
        // The broken session was given up, not left behind.
        Assert.Equal(1, proxy.Count("DELETE", "/blobs/uploads/"));
    }

    [IntegrationFact]
    public async Task A_lost_202_is_recovered()
    {
        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        var repository = TestEnvironment.UniqueRepository("faultlost");
        var (content, descriptor) = RandomBlob(2_500_000);
        proxy.Faults = (request, n) => request.Method == "PATCH" && n == 1 ? new Fault.LoseResponse() : null;

        await Client(proxy).UploadBlobAsync(repository, descriptor, () => new MemoryStream(content), CancellationToken.None);

        await AssertBlobInRegistryAsync(repository, content);
        Assert.Equal(1, proxy.Count("GET", "/blobs/uploads/"));
    }

    [IntegrationFact]
    public async Task Relative_absolute_and_foreign_host_locations_are_followed_as_given()
    {
        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        await using var foreign = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        var repository = TestEnvironment.UniqueRepository("faultlocation");
        var rewrites = new Func<Uri, string>[]
        {
            location => location.PathAndQuery,                                 // relative
            location => location.AbsoluteUri,                                  // absolute
            location => foreign.BaseUrl + location.PathAndQuery,               // another host
        };
        foreach (var rewrite in rewrites)
        {
            var (content, descriptor) = RandomBlob(5000);
            proxy.Faults = (request, _) => request.Method == "POST" ? new Fault.RewriteLocation(rewrite) : null;
            await Client(proxy, environment: name => name == "DOTNET_CONTAINER_REGISTRY_UNAME" ? "someone" : name == "DOTNET_CONTAINER_REGISTRY_PWORD" ? "secret" : null)
                .UploadBlobAsync(repository, descriptor, () => new MemoryStream(content), CancellationToken.None);
            await AssertBlobInRegistryAsync(repository, content);
        }
        // The upload that went to the other host finished there, and never carried credentials there.
        Assert.Single(foreign.Seen, r => r.Method == "PUT");
        Assert.DoesNotContain(foreign.Seen, r => r.HadAuthorization);
    }

    [IntegrationFact]
    public async Task A_redirect_to_another_host_gets_no_credentials()
    {
        // The HTTPS registry with Basic auth, behind the proxy; blob reads are redirected to a second proxy.
        await using var proxy = await FaultProxy.StartAsync($"https://{TestEnvironment.TlsRegistry}");
        await using var storage = await FaultProxy.StartAsync($"https://{TestEnvironment.TlsRegistry}");
        var blob = await TestEnvironment.AspNetBaseLayerAsync();
        proxy.Faults = (request, _) => request.Method == "GET" && request.Path.Value!.Contains("/blobs/sha256:") ? new Fault.RedirectTo(storage.BaseUrl) : null;
        // The storage host itself needs no credentials (as pre-signed blob URLs don't): let it in with the registry's.
        storage.Faults = (_, _) => null;

        using var store = new TempDirectory("cb-redirect");
        var client = Client(proxy, environment: name => name switch
        {
            "DOTNET_CONTAINER_REGISTRY_UNAME" => TestEnvironment.TestUser,
            "DOTNET_CONTAINER_REGISTRY_PWORD" => TestEnvironment.TestPassword,
            _ => null,
        });
        var error = await Record.ExceptionAsync(() => new RegistryLayer(blob, client, "dotnet/aspnet", new ContentStore(store.Path)).GetFileAsync(CancellationToken.None));

        Assert.Contains(storage.Seen, r => r.Method == "GET");
        Assert.DoesNotContain(storage.Seen, r => r.HadAuthorization);
        // Without credentials the registry behind the storage host refuses. That 401 comes from another host: it is
        // never a reason to authenticate (not even with the registry's own Basic challenge, which would send the
        // request again with credentials to the registry, to be redirected once more). The client says so, and
        // nothing was stored.
        var refused = Assert.IsType<ForeignHostChallengeException>(error);
        Assert.Equal(storage.Address, refused.ForeignHost);
        Assert.Contains($"Registry {proxy.Address} sent GET /v2/dotnet/aspnet/blobs/{blob.Digest} to another host, {storage.Address}", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestEnvironment.TestPassword, refused.Message, StringComparison.Ordinal);
        Assert.False(new ContentStore(store.Path).Contains(blob.Digest));
        // One anonymous try, redirected; no loop, no retries.
        Assert.Equal(1, proxy.Count("GET", "/blobs/sha256:"));
        Assert.Equal(1, storage.Count("GET", "/blobs/sha256:"));
    }

    [IntegrationFact]
    public async Task Flipped_or_truncated_bytes_on_pull_are_errors_and_nothing_is_cached()
    {
        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        var blob = await TestEnvironment.AspNetBaseLayerAsync();
        using var store = new TempDirectory("cb-corrupt");

        proxy.Faults = (request, _) => request.Method == "GET" && request.Path.Value!.Contains("/blobs/sha256:") ? new Fault.FlipResponseByte() : null;
        var flipped = await Assert.ThrowsAsync<BlobDigestMismatchException>(() => new RegistryLayer(blob, Client(proxy), "dotnet/aspnet", new ContentStore(store.Path)).GetFileAsync(CancellationToken.None));
        Assert.Contains("does not match", flipped.Message, StringComparison.Ordinal);
        Assert.False(new ContentStore(store.Path).Contains(blob.Digest));

        // Cut short twice, then whole: the download starts over and succeeds.
        proxy.Faults = (request, n) => request.Method == "GET" && request.Path.Value!.Contains("/blobs/sha256:") && n <= 3 ? new Fault.TruncateResponse(1000) : null;
        var path = await new RegistryLayer(blob, Client(proxy), "dotnet/aspnet", new ContentStore(store.Path)).GetFileAsync(CancellationToken.None);
        Assert.Equal(blob.Digest, Digest.Compute(await File.ReadAllBytesAsync(path)));
        // One flipped, two cut short, one whole.
        Assert.Equal(4, proxy.Count("GET", "/blobs/sha256:"));
    }

    [IntegrationFact]
    public async Task A_mount_the_registry_cannot_do_falls_back_to_an_upload_and_cancels_its_session()
    {
        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        var repository = TestEnvironment.UniqueRepository("mount");
        var (content, descriptor) = RandomBlob(4000);
        var client = Client(proxy);

        // The source repository does not have the blob: the registry opens an upload (202) instead.
        Assert.False(await client.TryMountBlobAsync(repository, descriptor.Digest, "dotnet/aspnet", CancellationToken.None));
        Assert.Equal(1, proxy.Count("DELETE", "/blobs/uploads/"));
        await client.UploadBlobAsync(repository, descriptor, () => new MemoryStream(content), CancellationToken.None);
        await AssertBlobInRegistryAsync(repository, content);

        // Where the source has it, the mount links it without a byte sent.
        var other = TestEnvironment.UniqueRepository("mount-target");
        Assert.True(await client.TryMountBlobAsync(other, descriptor.Digest, repository, CancellationToken.None));
        Assert.DoesNotContain(proxy.Seen, r => r.PathAndQuery.Contains(other, StringComparison.Ordinal) && r.Method is "PATCH" or "PUT");
    }

    [IntegrationFact]
    public async Task A_wrong_docker_content_digest_is_not_believed()
    {
        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        var manifest = await Client(proxy).GetManifestAsync("dotnet/runtime", "10.0", CancellationToken.None);
        Assert.NotNull(manifest);
        var lie = Digest.Compute("something else"u8).ToString();
        proxy.Faults = (request, _) => request.Path.Value!.Contains("/manifests/") ? new Fault.ReplaceDigestHeader(lie) : null;

        // The digest is computed from the bytes, whatever the header claims.
        Assert.Equal(manifest!.Digest, await Client(proxy).GetManifestDigestAsync("dotnet/runtime", "10.0", CancellationToken.None));
    }

    [IntegrationFact]
    public async Task A_token_that_expires_mid_upload_is_renewed()
    {
        var tokens = TokenServer.Instance;
        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.TokenRegistry}");
        var repository = TestEnvironment.UniqueRepository("faulttoken");
        var (content, descriptor) = RandomBlob(2_500_000);
        var challenge = $"Bearer realm=\"http://{TestEnvironment.TokenServer}/token\",service=\"{TestEnvironment.TokenService}\",scope=\"repository:{repository}:pull,push\"";
        // The registry rejects the token on the second chunk, as it does once a token expired.
        proxy.Faults = (request, n) => request.Method == "PATCH" && n == 2 ? new Fault.Answer(HttpStatusCode.Unauthorized, WwwAuthenticate: challenge) : null;
        var before = tokens.Requests.Count(r => r.Contains(repository, StringComparison.Ordinal));

        await Client(proxy, environment: name => name switch
        {
            "DOTNET_CONTAINER_REGISTRY_UNAME" => TestEnvironment.TestUser,
            "DOTNET_CONTAINER_REGISTRY_PWORD" => TestEnvironment.TestPassword,
            _ => null,
        }).UploadBlobAsync(repository, descriptor, () => new MemoryStream(content), CancellationToken.None);

        Assert.Equal(before + 2, tokens.Requests.Count(r => r.Contains(repository, StringComparison.Ordinal)));
        Assert.Equal(["0-1048575", "1048576-2097151", "1048576-2097151", "2097152-2499999"], proxy.Seen.Where(r => r.Method == "PATCH").Select(r => r.ContentRange ?? ""));
    }
}
