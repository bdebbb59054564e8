using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Registry;

/// <summary>Retries and chunked, resumable uploads: protocol corner cases against a scripted registry.</summary>
public class RetryAndUploadTests
{
    private static readonly RetryPolicy FastRetry = new() { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5), MaxRetryAfter = TimeSpan.FromMilliseconds(50) };

    private static RegistryClient Client(FakeHttpHandler handler, long chunkSize = RegistryClient.DefaultChunkSize, List<string>? retries = null)
        => new RegistryClientFactory(handler, _ => null) { Retry = FastRetry, ChunkSize = chunkSize, OnRetry = retries is null ? null : retries.Add }
            .Create(RegistryHost.Parse("registry.test"), Containers.Build.Registry.Auth.RegistryAccess.Push);

    private static HttpRequestException Reset() => new("reset", new IOException("Connection reset by peer", new SocketException((int)SocketError.ConnectionReset)));

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task Transient_statuses_are_retried(HttpStatusCode status)
    {
        var calls = 0;
        var retries = new List<string>();
        var handler = new FakeHttpHandler(_ => ++calls < 3 ? FakeHttpHandler.Status(status) : FakeHttpHandler.Status(HttpStatusCode.OK));
        Assert.True(await Client(handler, retries: retries).BlobExistsAsync("app", Digest.Compute("x"u8), CancellationToken.None));
        Assert.Equal(3, calls);
        Assert.Equal(2, retries.Count);
        Assert.Contains(((int)status).ToString(), retries[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task Client_errors_are_never_retried(HttpStatusCode status)
    {
        var handler = new FakeHttpHandler(_ => FakeHttpHandler.Status(status, """{"errors":[{"code":"MANIFEST_INVALID","message":"no"}]}"""));

        // The refusal reaches the caller with the registry's status and error, after exactly one request.
        var error = await Assert.ThrowsAnyAsync<RegistryException>(() => Client(handler).PutManifestAsync("app", "latest", "{}"u8.ToArray(), MediaTypes.OciManifest, CancellationToken.None));
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(new RegistryError("MANIFEST_INVALID", "no"), Assert.Single(error.Errors));
        // A 403 also says which credentials were refused (here: none were found).
        Assert.StartsWith("Registry registry.test refused to put manifest app:latest", error.Message, StringComparison.Ordinal);
        Assert.Contains(": MANIFEST_INVALID: no", error.Message, StringComparison.Ordinal);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Put, request.Method);
    }

    [Fact]
    public async Task A_failure_forever_stops_after_the_bounded_attempts_with_the_last_answer()
    {
        var calls = 0;
        var handler = new FakeHttpHandler(_ => { calls++; return FakeHttpHandler.Status(HttpStatusCode.ServiceUnavailable); });
        var error = await Assert.ThrowsAsync<RegistryException>(() => Client(handler).BlobExistsAsync("app", Digest.Compute("x"u8), CancellationToken.None));
        Assert.Equal(FastRetry.MaxAttempts, calls);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
    }

    [Fact]
    public async Task Connection_resets_are_retried_but_refused_connections_are_not()
    {
        var calls = 0;
        var resetOnce = new FakeHttpHandler(_ => ++calls == 1 ? throw Reset() : FakeHttpHandler.Status(HttpStatusCode.OK));
        Assert.True(await Client(resetOnce).BlobExistsAsync("app", Digest.Compute("x"u8), CancellationToken.None));
        Assert.Equal(2, calls);

        var refusedCalls = 0;
        var refused = new FakeHttpHandler(_ => { refusedCalls++; throw new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)); });
        var error = await Assert.ThrowsAsync<RegistryUnreachableException>(() => Client(refused).BlobExistsAsync("app", Digest.Compute("x"u8), CancellationToken.None));
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, refusedCalls);
    }

    [Fact]
    public void Retry_after_is_honored_in_seconds_or_as_a_date_and_capped()
    {
        var policy = new RetryPolicy { MaxRetryAfter = TimeSpan.FromSeconds(30) };
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(7), policy.DelayBefore(1, new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), now, new Random(1)));
        Assert.Equal(TimeSpan.FromSeconds(12), policy.DelayBefore(1, new RetryConditionHeaderValue(now.AddSeconds(12)), now, new Random(1)));
        Assert.Equal(TimeSpan.FromSeconds(30), policy.DelayBefore(1, new RetryConditionHeaderValue(TimeSpan.FromHours(1)), now, new Random(1)));
        Assert.Equal(TimeSpan.Zero, policy.DelayBefore(1, new RetryConditionHeaderValue(now.AddSeconds(-5)), now, new Random(1)));

        // Without Retry-After: exponential growth with jitter, capped.
        var first = policy.DelayBefore(1, null, now, new Random(1));
        var fourth = policy.DelayBefore(4, null, now, new Random(1));
        Assert.InRange(first.TotalMilliseconds, 250, 500);
        Assert.InRange(fourth.TotalMilliseconds, 2000, 4000);
        Assert.InRange(policy.DelayBefore(30, null, now, new Random(1)).TotalSeconds, 5, 10);
    }

    [Fact]
    public async Task Retry_after_from_a_429_is_waited_for()
    {
        var calls = 0;
        var handler = new FakeHttpHandler(_ =>
        {
            if (++calls > 1)
            {
                return FakeHttpHandler.Status(HttpStatusCode.OK);
            }
            var tooMany = FakeHttpHandler.Status(HttpStatusCode.TooManyRequests);
            tooMany.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
            return tooMany;
        });
        var client = new RegistryClientFactory(handler, _ => null) { Retry = FastRetry with { MaxRetryAfter = TimeSpan.FromSeconds(5) } }
            .Create(RegistryHost.Parse("registry.test"), Containers.Build.Registry.Auth.RegistryAccess.Push);
        var started = DateTime.UtcNow;
        Assert.True(await client.BlobExistsAsync("app", Digest.Compute("x"u8), CancellationToken.None));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task A_cancelled_build_stops_waiting_at_once()
    {
        var handler = new FakeHttpHandler(_ => FakeHttpHandler.Status(HttpStatusCode.ServiceUnavailable));
        var client = new RegistryClientFactory(handler, _ => null) { Retry = new RetryPolicy { BaseDelay = TimeSpan.FromMinutes(1), MaxDelay = TimeSpan.FromMinutes(1) } }
            .Create(RegistryHost.Parse("registry.test"), Containers.Build.Registry.Auth.RegistryAccess.Push);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.BlobExistsAsync("app", Digest.Compute("x"u8), cancellation.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2));
    }

    /// <summary>A scripted upload session: records chunks, hands out relative Locations with a state query.</summary>
    private sealed class UploadSession
    {
        public MemoryStream Received { get; } = new();
        public List<string> Ranges { get; } = [];
        public int FailPatchNumber { get; init; } = -1;
        public long? MinimumChunk { get; init; }
        public int KeepBytesOfFailedPatch { get; init; }
        public int Patches { get; private set; }
        public string? FinalDigest { get; private set; }
        public bool Deleted { get; private set; }

        public HttpResponseMessage Handle(HttpRequestMessage request)
        {
            var method = request.Method.Method;
            if (method == "POST")
            {
                var opened = Accepted();
                if (MinimumChunk is { } minimum)
                {
                    opened.Headers.TryAddWithoutValidation("OCI-Chunk-Min-Length", minimum.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                return opened;
            }
            if (method == "PATCH")
            {
                Patches++;
                Ranges.Add(request.Content!.Headers.GetValues("Content-Range").Single());
                var body = request.Content.ReadAsByteArrayAsync().Result;
                if (Patches == FailPatchNumber)
                {
                    Received.Write(body, 0, KeepBytesOfFailedPatch);
                    throw Reset();
                }
                Received.Write(body);
                return Accepted();
            }
            if (method == "GET")
            {
                var state = new HttpResponseMessage(HttpStatusCode.NoContent);
                state.Headers.Location = new Uri($"/v2/app/blobs/uploads/s?_state={Received.Length}", UriKind.Relative);
                state.Headers.TryAddWithoutValidation("Range", $"0-{Received.Length - 1}");
                return state;
            }
            if (method == "PUT")
            {
                Received.Write(request.Content!.ReadAsByteArrayAsync().Result);
                FinalDigest = System.Web.HttpUtility.ParseQueryString(request.RequestUri!.Query)["digest"];
                Assert.Contains("_state=", request.RequestUri.Query, StringComparison.Ordinal);
                return FakeHttpHandler.Status(HttpStatusCode.Created);
            }
            if (method == "DELETE")
            {
                Deleted = true;
                return FakeHttpHandler.Status(HttpStatusCode.NoContent);
            }
            return FakeHttpHandler.Status(HttpStatusCode.MethodNotAllowed);
        }

        private HttpResponseMessage Accepted()
        {
            var accepted = new HttpResponseMessage(HttpStatusCode.Accepted);
            accepted.Headers.Location = new Uri($"/v2/app/blobs/uploads/s?_state={Received.Length}", UriKind.Relative);
            return accepted;
        }
    }

    [Fact]
    public async Task Large_blobs_go_in_chunks_with_content_ranges()
    {
        var content = Encoding.ASCII.GetBytes(new string('a', 2_500_000));
        var descriptor = new Descriptor(MediaTypes.OciLayerGzip, Digest.Compute(content), content.Length);
        var session = new UploadSession();
        var handler = new FakeHttpHandler(session.Handle);

        await Client(handler, chunkSize: 1024 * 1024).UploadBlobAsync("app", descriptor, () => new MemoryStream(content), CancellationToken.None);

        Assert.Equal(["0-1048575", "1048576-2097151", "2097152-2499999"], session.Ranges);
        Assert.Equal(content, session.Received.ToArray());
        Assert.Equal(descriptor.Digest.ToString(), session.FinalDigest);
    }

    [Fact]
    public async Task The_registrys_minimum_chunk_length_is_honored()
    {
        var content = new byte[5_000_000];
        var descriptor = new Descriptor(MediaTypes.OciLayerGzip, Digest.Compute(content), content.Length);
        var session = new UploadSession { MinimumChunk = 2 * 1024 * 1024 };
        await Client(new FakeHttpHandler(session.Handle), chunkSize: 1024 * 1024).UploadBlobAsync("app", descriptor, () => new MemoryStream(content), CancellationToken.None);
        Assert.Equal(["0-2097151", "2097152-4194303", "4194304-4999999"], session.Ranges);
    }

    [Fact]
    public async Task A_connection_dropped_mid_patch_resumes_from_the_offset_the_registry_reports()
    {
        var content = Enumerable.Range(0, 3_000_000).Select(i => (byte)(i % 251)).ToArray();
        var descriptor = new Descriptor(MediaTypes.OciLayerGzip, Digest.Compute(content), content.Length);
        // The second chunk breaks after 300000 of its bytes reached the registry.
        var session = new UploadSession { FailPatchNumber = 2, KeepBytesOfFailedPatch = 300_000 };
        var handler = new FakeHttpHandler(session.Handle);

        await Client(handler, chunkSize: 1024 * 1024).UploadBlobAsync("app", descriptor, () => new MemoryStream(content), CancellationToken.None);

        Assert.Equal(["0-1048575", "1048576-2097151", "1348576-2397151", "2397152-2999999"], session.Ranges);
        Assert.Equal(content, session.Received.ToArray());
        Assert.Contains(handler.Requests, r => r.Method == HttpMethod.Get);
        Assert.False(session.Deleted);
    }

    [Fact]
    public async Task An_upload_given_up_on_is_deleted()
    {
        var content = new byte[2_000_000];
        var descriptor = new Descriptor(MediaTypes.OciLayerGzip, Digest.Compute(content), content.Length);
        var session = new UploadSession();
        var handler = new FakeHttpHandler(request => request.Method == HttpMethod.Patch
            ? FakeHttpHandler.Status(HttpStatusCode.BadRequest, """{"errors":[{"code":"BLOB_UPLOAD_INVALID","message":"bad range"}]}""")
            : session.Handle(request));

        var error = await Assert.ThrowsAsync<RegistryException>(() => Client(handler, chunkSize: 1024 * 1024).UploadBlobAsync("app", descriptor, () => new MemoryStream(content), CancellationToken.None));
        Assert.Contains("BLOB_UPLOAD_INVALID", error.Message, StringComparison.Ordinal);
        Assert.True(session.Deleted);
    }
}
