using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Registry;

/// <summary>
/// A registry that attacks or fails the client, on real loopback sockets (127.0.0.2 is "another host"): where
/// credentials go, what a stall or an endless body does, and what a full disk does.
/// </summary>
public sealed class HostileRegistryTests : IDisposable
{
    private const string Password = "s3cret-password";
    private static readonly RetryPolicy FastRetry = new() { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };
    private static readonly byte[] Content = Enumerable.Repeat((byte)'a', 1000).ToArray();
    private static readonly Descriptor Blob = new(MediaTypes.OciLayerGzip, Digest.Compute(Content), Content.Length);
    private static readonly ErrorBoundary.Context Context = new("registry.test/base:1", "registry.test/base:1", false);

    private readonly List<RegistryClientFactory> _factories = [];
    private readonly TempDirectory _store = new("cb-hostile");

    public void Dispose()
    {
        foreach (var factory in _factories)
        {
            factory.Dispose();
        }
        _store.Dispose();
    }

    private static string? Credentials(string name) => name switch
    {
        "DOTNET_CONTAINER_REGISTRY_UNAME" => "user",
        "DOTNET_CONTAINER_REGISTRY_PWORD" => Password,
        "HOME" => "/nonexistent",
        _ => null,
    };

    private RegistryClient Client(string registry, RetryPolicy? retry = null, TimeSpan? timeout = null, HttpMessageHandler? handler = null,
        TlsPolicy? tls = null, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null, HttpMessageHandler? tokenServiceHandler = null)
    {
        var factory = new RegistryClientFactory(handler, Credentials, tls, tokenServiceHandler)
        {
            Retry = retry ?? RetryPolicy.None,
            InactivityTimeout = timeout ?? RegistryTransport.DefaultInactivityTimeout,
            ResolveHost = resolve ?? Dns.GetHostAddressesAsync,
        };
        _factories.Add(factory);
        return factory.Create(RegistryHost.Parse(registry), RegistryAccess.Push);
    }

    /// <summary>A token service on another host that hands out a token to whoever asks, and records who asked with what.</summary>
    private static HostileRegistry OtherHost() => HostileRegistry.Start(async (request, response) =>
    {
        if (request.Path.EndsWith("/token", StringComparison.Ordinal))
        {
            await response.SendAsync(HttpStatusCode.OK, """{"token":"stolen","expires_in":300}""");
            return;
        }
        // Blob storage (or an upload URL) there: asks for authentication and names itself as the token service.
        await response.SendAsync(HttpStatusCode.Unauthorized, "", HostileResponse.Challenge($"http://127.0.0.2:{request.Headers["Host"].Split(':')[1]}/token"));
    }, "127.0.0.2");

    /// <summary>A registry that wants a bearer token from <paramref name="realm"/> and accepts "Bearer stolen".</summary>
    private static Func<HostileRequest, HostileResponse, Task> ChallengingWith(Func<string> realm) => (request, response) =>
        request.Authorization == "Bearer stolen"
            ? response.SendAsync(HttpStatusCode.OK, "{}")
            : response.SendAsync(HttpStatusCode.Unauthorized, "", HostileResponse.Challenge(realm()));

    private static void AssertNoCredentialsReached(HostileRegistry other)
    {
        Assert.All(other.Requests, r => Assert.Null(r.Authorization));
        Assert.DoesNotContain(other.Requests, r => r.Path.EndsWith("/token", StringComparison.Ordinal));
    }

    // ---- 1. Credentials go only to the registry's own host ----

    [Fact]
    public async Task A_redirect_to_another_host_that_asks_for_authentication_gets_no_credentials()
    {
        await using var other = OtherHost();
        await using var registry = HostileRegistry.Start((request, response) => request.Path.Contains("/blobs/", StringComparison.Ordinal)
            ? response.SendAsync(HttpStatusCode.TemporaryRedirect, "", ("Location", $"{other.HttpUrl}/storage/{Blob.Digest.Hex}"))
            : response.SendAsync(HttpStatusCode.OK, "{}"));

        var thrown = await Record.ExceptionAsync(() => Client(registry.Host).GetSmallBlobAsync("app", Blob, CancellationToken.None));

        AssertNoCredentialsReached(other);
        var error = Assert.IsType<ForeignHostChallengeException>(thrown);
        Assert.Contains(other.Requests, r => r.Path.StartsWith("/storage/", StringComparison.Ordinal));
        Assert.Contains(registry.Host, error.Message, StringComparison.Ordinal);
        Assert.Contains(other.Host, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
        Assert.Equal(DiagnosticCodes.CredentialsWithheld, ErrorBoundary.Diagnose(error, Context).Code);
    }

    [Fact]
    public async Task An_upload_location_on_another_host_that_asks_for_authentication_gets_no_credentials()
    {
        await using var other = OtherHost();
        await using var registry = HostileRegistry.Start((request, response) => request.Method == "POST"
            ? response.SendAsync(HttpStatusCode.Accepted, "", ("Location", $"{other.HttpUrl}/upload/1"))
            : response.SendAsync(HttpStatusCode.NotFound, ""));

        var thrown = await Record.ExceptionAsync(
            () => Client(registry.Host).UploadBlobAsync("app", Blob, () => new MemoryStream(Content), CancellationToken.None));

        AssertNoCredentialsReached(other);
        Assert.IsType<ForeignHostChallengeException>(thrown);
        Assert.Contains(other.Requests, r => r.Method == "PUT" && r.Path == "/upload/1");
    }

    [Fact]
    public async Task A_token_service_on_plain_http_is_refused_for_a_registry_reached_over_https()
    {
        await using var other = OtherHost();
        await using var registry = HostileRegistry.Start(ChallengingWith(() => $"{other.HttpUrl}/token"), certificate: HostileRegistry.SelfSignedCertificate());
        var tls = new TlsPolicy(insecureHosts: [registry.Host]);

        var thrown = await Record.ExceptionAsync(
            () => Client(registry.Host, tls: tls).BlobExistsAsync("app", Blob.Digest, CancellationToken.None));

        AssertNoCredentialsReached(other);
        Assert.Empty(other.Requests);
        var error = Assert.IsType<TokenRealmRefusedException>(thrown);
        Assert.Contains(registry.Requests, r => r.Method == "HEAD"); // it was reached, over TLS
        Assert.Equal($"{other.HttpUrl}/token", error.Realm);
        Assert.Contains("plain http", error.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.2:{port}/token", "127.0.0.2")]
    [InlineData("http://169.254.169.254/latest/api/token", "169.254.169.254")]
    public async Task A_token_service_on_an_internal_address_is_refused_for_a_registry_on_a_public_name(string realmTemplate, string address)
    {
        await using var other = OtherHost();
        var realm = realmTemplate.Replace("{port}", other.Port.ToString(), StringComparison.Ordinal);
        await using var registry = HostileRegistry.Start(ChallengingWith(() => realm));
        // registry.example.com resolves to a public address; every connection lands on the loopback servers.
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var target = context.DnsEndPoint.Host == "registry.example.com" ? registry.Port : other.Port;
                var address = context.DnsEndPoint.Host == "registry.example.com" ? IPAddress.Loopback : IPAddress.Parse("127.0.0.2");
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(address, target), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        Task<IPAddress[]> Resolve(string host, CancellationToken _) => Task.FromResult<IPAddress[]>(
            host == "registry.example.com" ? [IPAddress.Parse("93.184.216.34")] : [IPAddress.Parse(host)]);

        var client = Client("registry.example.com", handler: handler, tls: new TlsPolicy(insecureHosts: ["registry.example.com"]), resolve: Resolve);
        var thrown = await Record.ExceptionAsync(() => client.BlobExistsAsync("app", Blob.Digest, CancellationToken.None));

        AssertNoCredentialsReached(other);
        Assert.Empty(other.Requests);
        var error = Assert.IsType<TokenRealmRefusedException>(thrown);
        Assert.Contains(address, error.Reason, StringComparison.Ordinal);
        Assert.Equal(DiagnosticCodes.CredentialsWithheld, ErrorBoundary.Diagnose(error, Context).Code);
    }

    [Fact]
    public async Task A_token_service_whose_name_answers_a_public_address_to_the_check_and_an_internal_one_to_the_connection_gets_nothing()
    {
        await using var other = OtherHost();
        var realm = $"http://auth.example.net:{other.Port}/token";
        await using var registry = HostileRegistry.Start(ChallengingWith(() => realm));
        // The registries' connections: registry.example.com lands on the loopback registry, and any other name on the token
        // service at 127.0.0.2, as a name that had changed its answer would.
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var toRegistry = context.DnsEndPoint.Host == "registry.example.com";
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(toRegistry ? IPAddress.Loopback : IPAddress.Parse("127.0.0.2"), toRegistry ? registry.Port : other.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        // The token service's name answers the guard's lookup with a public address, and every lookup after it with 127.0.0.2.
        var lookups = new ConcurrentQueue<string>();
        Task<IPAddress[]> Resolve(string host, CancellationToken _)
        {
            lookups.Enqueue(host);
            return Task.FromResult<IPAddress[]>(host switch
            {
                "registry.example.com" => [IPAddress.Parse("93.184.216.34")],
                "auth.example.net" when lookups.Count(h => h == host) == 1 => [IPAddress.Parse("52.1.2.3")],
                _ => [IPAddress.Parse("127.0.0.2")],
            });
        }
        var tls = new TlsPolicy(insecureHosts: ["registry.example.com"]);

        var client = Client("registry.example.com", handler: handler, tls: tls, resolve: Resolve,
            tokenServiceHandler: TokenServiceConnections.CreateHandler(Resolve, tls));
        var thrown = await Record.ExceptionAsync(() => client.BlobExistsAsync("app", Blob.Digest, CancellationToken.None));

        AssertNoCredentialsReached(other);
        Assert.Empty(other.Requests);
        Assert.Equal(2, lookups.Count(h => h == "auth.example.net")); // the guard's, and the connection's
        var error = Assert.IsType<TokenRealmRefusedException>(thrown);
        Assert.Contains("127.0.0.2", error.Reason, StringComparison.Ordinal);
        Assert.Contains("DNS rebinding", error.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
        Assert.Equal(DiagnosticCodes.CredentialsWithheld, ErrorBoundary.Diagnose(error, Context).Code);
    }

    // Already cancelled: a guard that let an address through would fail at the connect, without sending anything anywhere.
    private static readonly CancellationToken Unconnectable = new(canceled: true);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("localhost")]
    [InlineData("[::1]")]
    public async Task A_guarded_token_service_connection_to_an_internal_address_is_never_opened(string host)
    {
        var resolved = false;
        var refused = await Assert.ThrowsAsync<RealmAddressRefusedException>(async () => await TokenServiceConnections.ConnectAsync(
            new DnsEndPoint(host, 80), (_, _) => { resolved = true; return Task.FromResult<IPAddress[]>([IPAddress.Loopback]); }, Unconnectable));

        Assert.True(TokenRealmGuard.IsInternal(refused.Address));
        Assert.False(resolved); // an address, or localhost, is not looked up
    }

    [Fact]
    public async Task A_guarded_token_service_connection_to_a_name_with_any_internal_address_or_none_is_never_opened()
    {
        await Assert.ThrowsAsync<RealmAddressRefusedException>(async () => await TokenServiceConnections.ConnectAsync(
            new DnsEndPoint("auth.example.net", 443), (_, _) => Task.FromResult<IPAddress[]>([IPAddress.Parse("52.1.2.3"), IPAddress.Parse("10.0.0.5")]), Unconnectable));
        await Assert.ThrowsAsync<SocketException>(async () => await TokenServiceConnections.ConnectAsync(
            new DnsEndPoint("auth.example.net", 443), (_, _) => Task.FromResult<IPAddress[]>([]), Unconnectable));
    }

    [Theory]
    [InlineData("ftp://127.0.0.2/token")]
    [InlineData("file:///etc/passwd")]
    public async Task A_token_service_with_another_scheme_is_a_coded_refusal(string realm)
    {
        await using var registry = HostileRegistry.Start(ChallengingWith(() => realm));

        var error = await Assert.ThrowsAsync<TokenRealmRefusedException>(() => Client(registry.Host).BlobExistsAsync("app", Blob.Digest, CancellationToken.None));

        Assert.Contains("scheme", error.Reason, StringComparison.Ordinal);
        var (code, message) = ErrorBoundary.Diagnose(error, Context);
        Assert.Equal(DiagnosticCodes.CredentialsWithheld, code);
        Assert.Contains(realm, message, StringComparison.Ordinal);
        Assert.Contains(registry.Host, message, StringComparison.Ordinal);
    }

    [Theory]
    // A public registry: a public token service over https is fine; internal addresses and other schemes are not.
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "52.1.2.3", "93.184.216.34", null)]
    [InlineData("http://auth.example.com/token", "https://registry.example.com/", "52.1.2.3", "93.184.216.34", "plain http")]
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "127.0.0.1", "93.184.216.34", "127.0.0.1")]
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "10.1.2.3", "93.184.216.34", "10.1.2.3")]
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "172.16.0.1", "93.184.216.34", "172.16.0.1")]
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "172.31.255.254", "93.184.216.34", "172.31.255.254")]
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "172.32.0.1", "93.184.216.34", null)]
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "192.168.1.1", "93.184.216.34", "192.168.1.1")]
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "169.254.169.254", "93.184.216.34", "169.254.169.254")]
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "0.0.0.0", "93.184.216.34", "0.0.0.0")]
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "::1", "93.184.216.34", "::1")]
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "::", "93.184.216.34", "::")]
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "fe80::1", "93.184.216.34", "fe80::1")]
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "fd12:3456::1", "93.184.216.34", "fd12:3456::1")]
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "::ffff:127.0.0.1", "93.184.216.34", "127.0.0.1")]
    [InlineData("https://auth.example.com/token", "https://registry.example.com/", "2606:4700::1", "93.184.216.34", null)]
    [InlineData("ftp://auth.example.com/token", "https://registry.example.com/", "52.1.2.3", "93.184.216.34", "scheme")]
    // A registry that is itself internal may have its token service on an internal address (and on http when it is on http).
    [InlineData("https://auth.corp/token", "https://registry.corp/", "10.1.2.3", "10.0.0.2", null)]
    [InlineData("http://127.0.0.1:5003/token", "http://127.0.0.1:5002/", "127.0.0.1", "127.0.0.1", null)]
    [InlineData("http://127.0.0.1:5003/token", "https://127.0.0.1:5001/", "127.0.0.1", "127.0.0.1", "plain http")]
    public void The_token_realm_guard(string realm, string registry, string realmAddress, string registryAddress, string? refusal)
    {
        var reason = TokenRealmGuard.Check(new Uri(realm), new Uri(registry), [IPAddress.Parse(realmAddress)], [IPAddress.Parse(registryAddress)]);
        if (refusal is null)
        {
            Assert.Null(reason);
        }
        else
        {
            Assert.NotNull(reason);
            Assert.Contains(refusal, reason, StringComparison.Ordinal);
        }
    }

    // ---- 2. Nothing hangs ----

    [Fact]
    public async Task A_registry_that_accepts_and_never_does_the_tls_handshake_fails_within_the_timeout()
    {
        await using var registry = HostileRegistry.Start((_, _) => Task.CompletedTask, onConnect: (_, stopping) => Task.Delay(Timeout.Infinite, stopping));
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RegistryStalledException>(
            () => Client(registry.Host, timeout: TimeSpan.FromSeconds(2)).GetManifestAsync("app", "latest", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10));
        Assert.True(error.IsTransient);
        Assert.Contains(registry.Host, error.Message, StringComparison.Ordinal);
        Assert.Contains("2 s", error.Message, StringComparison.Ordinal);
        var (code, message) = ErrorBoundary.Diagnose(error, Context);
        Assert.Equal(DiagnosticCodes.RegistryStalled, code);
        Assert.Contains("ContainerRegistryTimeout", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_that_never_answers_a_request_fails_within_the_timeout_and_is_retried()
    {
        await using var registry = HostileRegistry.Start((_, response) => response.StallAsync());
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RegistryStalledException>(
            () => Client(registry.Host, retry: FastRetry with { MaxAttempts = 2 }, timeout: TimeSpan.FromSeconds(2))
                .GetManifestAsync("app", "latest", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(15));
        Assert.Equal(2, registry.Requests.Count(r => r.Path == "/v2/app/manifests/latest"));
        Assert.Contains("GET /v2/app/manifests/latest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_trickling_a_byte_at_a_time_fails_within_the_timeout()
    {
        await using var registry = HostileRegistry.Start(async (request, response) =>
        {
            await response.SendHeadAsync(HttpStatusCode.OK, 100_000, ("Content-Type", MediaTypes.OciManifest));
            while (true)
            {
                await response.WriteBodyAsync("{"u8.ToArray());
                await Task.Delay(250, response.Stopping);
            }
        });
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RegistryStalledException>(
            () => Client(registry.Host, timeout: TimeSpan.FromSeconds(2)).GetManifestAsync("app", "latest", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10));
        Assert.Contains("reading", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_manifest_or_config_body_that_stalls_or_breaks_off_is_asked_for_again_and_read_whole(bool stalls)
    {
        var manifest = Encoding.UTF8.GetBytes("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}""");
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux"}""");
        var configDescriptor = new Descriptor(MediaTypes.OciConfig, Digest.Compute(config), config.Length);
        var asked = new ConcurrentDictionary<string, int>();
        await using var registry = HostileRegistry.Start(async (request, response) =>
        {
            var body = request.Path.Contains("/manifests/", StringComparison.Ordinal) ? manifest : config;
            if (asked.AddOrUpdate(request.Path, 1, (_, n) => n + 1) == 1)
            {
                // Half the body, then nothing (or the connection closed).
                await response.SendHeadAsync(HttpStatusCode.OK, body.Length, ("Content-Type", MediaTypes.OciManifest));
                await response.WriteBodyAsync(body.AsMemory(0, body.Length / 2));
                if (stalls)
                {
                    await response.StallAsync();
                }
                return;
            }
            await response.SendAsync(HttpStatusCode.OK, body, ("Content-Type", MediaTypes.OciManifest));
        });
        var client = Client(registry.Host, retry: FastRetry, timeout: TimeSpan.FromSeconds(1));

        var read = await client.GetManifestAsync("app", "latest", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var readConfig = await client.GetSmallBlobAsync("app", configDescriptor, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(manifest, read!.Bytes);
        Assert.Equal(config, readConfig);
        Assert.All(asked.Values, count => Assert.Equal(2, count));
    }

    [Fact]
    public async Task A_blob_body_that_breaks_off_is_downloaded_again_from_its_start()
    {
        var asked = 0;
        await using var registry = HostileRegistry.Start(async (_, response) =>
        {
            if (Interlocked.Increment(ref asked) == 1)
            {
                await response.SendHeadAsync(HttpStatusCode.OK, Content.Length);
                await response.WriteBodyAsync(Content.AsMemory(0, Content.Length / 2));
                return;
            }
            await response.SendAsync(HttpStatusCode.OK, Content);
        });
        using var destination = new MemoryStream();

        await Client(registry.Host, retry: FastRetry).DownloadBlobAsync("app", Blob, destination, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Content, destination.ToArray());
        Assert.Equal(2, asked);
    }

    [Fact]
    public async Task A_manifest_body_that_always_stalls_is_asked_for_as_often_as_a_blob_and_then_fails()
    {
        await using var registry = HostileRegistry.Start(async (_, response) =>
        {
            await response.SendHeadAsync(HttpStatusCode.OK, 100, ("Content-Type", MediaTypes.OciManifest));
            await response.WriteBodyAsync("{"u8.ToArray());
            await response.StallAsync();
        });

        await Assert.ThrowsAsync<RegistryStalledException>(
            () => Client(registry.Host, retry: FastRetry with { BlobDownloadAttempts = 2 }, timeout: TimeSpan.FromSeconds(1))
                .GetManifestAsync("app", "latest", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(2, registry.Requests.Count(r => r.Path == "/v2/app/manifests/latest"));
    }

    [Fact]
    public async Task Cancelling_the_build_stops_a_stalled_request_at_once()
    {
        // A guard for the inactivity timeout: the build's cancellation still wins, long before the timeout.
        await using var registry = HostileRegistry.Start((_, response) => response.StallAsync());
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Client(registry.Host, retry: FastRetry).GetManifestAsync("app", "latest", cancellation.Token).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
    }

    // ---- 3. Nothing unbounded ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_endless_blob_body_stops_at_the_descriptors_size_and_leaves_nothing_on_disk(bool declaresLength)
    {
        const long Offered = 64L * 1024 * 1024;
        var served = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registry = HostileRegistry.Start(async (request, response) =>
        {
            try
            {
                await response.SendHeadAsync(HttpStatusCode.OK, declaresLength ? Offered : null);
                var chunk = Enumerable.Repeat((byte)'a', 64 * 1024).ToArray();
                while (response.BodyBytesWritten < Offered)
                {
                    await response.WriteBodyAsync(chunk);
                }
            }
            finally
            {
                served.TrySetResult(response.BodyBytesWritten);
            }
        });
        var store = new ContentStore(_store.Path);

        var error = await Assert.ThrowsAsync<BlobDigestMismatchException>(
            () => new RegistryLayer(Blob, Client(registry.Host), "app", store).GetFileAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains($"more than {Blob.Size} bytes", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(store.Root, "blobs", "sha256")));
        // The client hung up long before the registry could send all it offered.
        Assert.True(await served.Task.WaitAsync(TimeSpan.FromSeconds(30)) < Offered / 2);
    }

    [Fact]
    public async Task A_full_disk_is_not_retried_as_a_network_failure_and_names_the_path()
    {
        await using var registry = HostileRegistry.Start((_, response) => response.SendAsync(HttpStatusCode.OK, Content));
        var path = _store.Combine("blob.tmp");

        BlobWriteException error;
        await using (var destination = new FullDiskStream(path))
        {
            error = await Assert.ThrowsAsync<BlobWriteException>(
                () => Client(registry.Host, retry: FastRetry).DownloadBlobAsync("app", Blob, destination, CancellationToken.None));
        }

        Assert.Equal(1, registry.Requests.Count(r => r.Path.Contains("/blobs/", StringComparison.Ordinal)));
        Assert.Equal(path, error.Path);
        var (code, message) = ErrorBoundary.Diagnose(error, Context);
        Assert.Equal(DiagnosticCodes.LayerWriteFailed, code);
        Assert.Contains(path, message, StringComparison.Ordinal);
        Assert.Contains("No space left on device", message, StringComparison.Ordinal);
    }

    // ---- 7. A bad base layer blames the base ----

    [Fact]
    public async Task A_base_layer_that_does_not_match_its_descriptor_is_a_bad_base_not_a_refused_push()
    {
        var handler = new FakeHttpHandler(_ => FakeHttpHandler.Status(HttpStatusCode.OK, new string('b', Content.Length)));
        var factory = new RegistryClientFactory(handler, _ => null);
        _factories.Add(factory);
        var layer = new RegistryLayer(Blob, factory.Create(RegistryHost.Parse("registry.test"), RegistryAccess.Pull), "base", new ContentStore(_store.Path));

        var error = await Assert.ThrowsAsync<BlobDigestMismatchException>(() => layer.GetFileAsync(CancellationToken.None));

        var (code, message) = ErrorBoundary.Diagnose(error, Context);
        Assert.Equal(DiagnosticCodes.BaseImageUnreadable, code);
        Assert.Contains(Blob.Digest.ToString(), message, StringComparison.Ordinal);
        Assert.Contains("registry.test", message, StringComparison.Ordinal);
    }

    /// <summary>A file whose every write fails as on a full disk (ENOSPC).</summary>
    private sealed class FullDiskStream(string path) : FileStream(path, FileMode.Create, FileAccess.ReadWrite)
    {
        private static IOException Full() => new("No space left on device", 28);

        public override void Write(byte[] buffer, int offset, int count) => throw Full();
        public override void Write(ReadOnlySpan<byte> buffer) => throw Full();
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromException(Full());
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException(Full());
    }
}
