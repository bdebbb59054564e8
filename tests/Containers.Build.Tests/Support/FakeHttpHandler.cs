using System.Net;

namespace Containers.Build.Tests.Support;

/// <summary>An HTTP handler that answers from a function and records every request, for protocol corner cases.</summary>
public sealed class FakeHttpHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
{
    public List<RecordedRequest> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        lock (Requests)
        {
            Requests.Add(new RecordedRequest(request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(), body));
        }
        var response = respond(request);
        response.RequestMessage = request;
        return response;
    }

    public static HttpResponseMessage Status(HttpStatusCode status, string? body = null)
        => new(status) { Content = new StringContent(body ?? "") };
}

public sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Authorization, byte[]? Body);
