using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Containers.Build.Tests.Support;

/// <summary>What the proxy does with one request instead of (or on top of) forwarding it.</summary>
public abstract record Fault
{
    /// <summary>Answer with this status (and Retry-After), without asking the registry.</summary>
    public sealed record Answer(HttpStatusCode Status, TimeSpan? RetryAfter = null, string? WwwAuthenticate = null) : Fault;

    /// <summary>Forward only the first bytes of the body (the registry really gets them), then drop the connection.</summary>
    public sealed record ResetAfterBodyBytes(int Bytes) : Fault;

    /// <summary>Forward the request, then drop the connection instead of answering (a lost 202).</summary>
    public sealed record LoseResponse : Fault;

    /// <summary>Forward, then send the response body cut short and drop the connection.</summary>
    public sealed record TruncateResponse(int Bytes) : Fault;

    /// <summary>Forward, then flip one byte of the response body.</summary>
    public sealed record FlipResponseByte : Fault;

    /// <summary>Answer 307 to the same path on another host.</summary>
    public sealed record RedirectTo(string BaseUrl) : Fault;

    /// <summary>Forward, then replace the response's Location with what the function makes of it.</summary>
    public sealed record RewriteLocation(Func<Uri, string> Rewrite) : Fault;

    /// <summary>Hold the request this long before answering 503 (a registry that stopped answering).</summary>
    public sealed record Hang(TimeSpan Duration) : Fault;

    /// <summary>Forward, then replace Docker-Content-Digest.</summary>
    public sealed record ReplaceDigestHeader(string Digest) : Fault;
}

public sealed record SeenRequest(string Method, string PathAndQuery, bool HadAuthorization, string? ContentRange, long BodyBytes);

/// <summary>
/// An HTTP proxy on 127.0.0.1 in front of a real registry that injects faults chosen per request, and
/// records what it saw (method, path, whether credentials came, the Content-Range, the body size).
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Uri _upstreamBase;

    private FaultProxy(WebApplication app, Uri upstream)
    {
        _app = app;
        _upstreamBase = upstream;
        _upstream = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        });
    }

    public string Address { get; private set; } = "";
    public string BaseUrl => $"http://{Address}";
    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    /// <summary>Chooses a fault for a request (method, path and query, and the how-many-th such request it is); null forwards it.</summary>
    public Func<HttpRequest, int, Fault?> Faults { get; set; } = (_, _) => null;

    private readonly ConcurrentDictionary<string, int> _counts = new();

    public static async Task<FaultProxy> StartAsync(string upstream)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // Whole base layers go through it (Kestrel's default limit is 30 MB).
        builder.WebHost.ConfigureKestrel(options => options.Limits.MaxRequestBodySize = null);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new FaultProxy(app, new Uri(upstream));
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        proxy.Address = new Uri(app.Urls.First()).Authority;
        return proxy;
    }

    public int Count(string method, string pathContains) => Seen.Count(r => r.Method == method && r.PathAndQuery.Contains(pathContains, StringComparison.Ordinal));

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var key = $"{request.Method} {KindOf(request.Path)}";
        var number = _counts.AddOrUpdate(key, 1, (_, n) => n + 1);
        var fault = Faults(request, number);

        var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        Seen.Enqueue(new SeenRequest(request.Method, request.Path + request.QueryString, request.Headers.Authorization.Count > 0,
            request.Headers["Content-Range"].FirstOrDefault(), body.Length));

        switch (fault)
        {
            case Fault.Hang hang:
                try
                {
                    await Task.Delay(hang.Duration, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                context.Response.StatusCode = (int)HttpStatusCode.ServiceUnavailable;
                return;
            case Fault.Answer answer:
                context.Response.StatusCode = (int)answer.Status;
                if (answer.RetryAfter is { } retryAfter)
                {
                    context.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString();
                }
                if (answer.WwwAuthenticate is { } challenge)
                {
                    context.Response.Headers.WWWAuthenticate = challenge;
                }
                return;
            case Fault.RedirectTo redirect:
                context.Response.StatusCode = (int)HttpStatusCode.TemporaryRedirect;
                context.Response.Headers.Location = redirect.BaseUrl + request.Path + request.QueryString;
                return;
        }

        var bytes = body.ToArray();
        var contentRange = request.Headers["Content-Range"].FirstOrDefault();
        if (fault is Fault.ResetAfterBodyBytes reset)
        {
            bytes = bytes[..Math.Min(reset.Bytes, bytes.Length)];
            if (contentRange is not null && bytes.Length > 0)
            {
                var start = long.Parse(contentRange.Split('-')[0]);
                contentRange = $"{start}-{start + bytes.Length - 1}";
            }
        }
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_upstreamBase, request.Path + request.QueryString));
        foreach (var (name, values) in request.Headers)
        {
            if (name is "Host" or "Content-Length" or "Content-Type" or "Content-Range" or "Transfer-Encoding")
            {
                continue;
            }
            forward.Headers.TryAddWithoutValidation(name, values.ToArray());
        }
        // The registry builds its Locations from Host: keep the client's, so they point back at the proxy.
        forward.Headers.Host = request.Host.Value;
        if (bytes.Length > 0 || request.ContentLength is not null || request.Method is "PUT" or "PATCH" or "POST")
        {
            forward.Content = new ByteArrayContent(bytes);
            if (request.ContentType is { } type)
            {
                forward.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
            if (contentRange is not null)
            {
                forward.Content.Headers.TryAddWithoutValidation("Content-Range", contentRange);
            }
        }

        using var response = await _upstream.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead);
        if (fault is Fault.ResetAfterBodyBytes or Fault.LoseResponse)
        {
            context.Abort();
            return;
        }
        var responseBody = await response.Content.ReadAsByteArrayAsync();
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name is "Transfer-Encoding" or "Content-Length")
            {
                continue;
            }
            context.Response.Headers[name] = values.ToArray();
        }
        switch (fault)
        {
            case Fault.RewriteLocation rewrite when response.Headers.Location is { } location:
                context.Response.Headers.Location = rewrite.Rewrite(location);
                break;
            case Fault.ReplaceDigestHeader digest:
                context.Response.Headers["Docker-Content-Digest"] = digest.Digest;
                break;
            case Fault.FlipResponseByte when responseBody.Length > 0:
                responseBody[responseBody.Length / 2] ^= 0xFF;
                break;
        }
        if (fault is Fault.TruncateResponse truncate)
        {
            context.Response.ContentLength = responseBody.Length;
            await context.Response.Body.WriteAsync(responseBody.AsMemory(0, Math.Min(truncate.Bytes, responseBody.Length)));
            await context.Response.Body.FlushAsync();
            context.Abort();
            return;
        }
        if (request.Method != "HEAD")
        {
            context.Response.ContentLength = responseBody.Length;
            await context.Response.Body.WriteAsync(responseBody);
        }
        else if (response.Content.Headers.ContentLength is { } length)
        {
            context.Response.ContentLength = length;
        }
    }

    /// <summary>Groups requests for counting: uploads, blobs, manifests, anything else by its path.</summary>
    private static string KindOf(PathString path)
    {
        var text = path.Value ?? "";
        return text.Contains("/blobs/uploads", StringComparison.Ordinal) ? "upload"
            : text.Contains("/blobs/", StringComparison.Ordinal) ? "blob"
            : text.Contains("/manifests/", StringComparison.Ordinal) ? "manifest"
            : text;
    }

    public async ValueTask DisposeAsync()
    {
        _upstream.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
