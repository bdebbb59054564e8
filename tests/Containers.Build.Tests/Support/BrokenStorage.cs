using System.Net;
using System.Text;

namespace Containers.Build.Tests.Support;

/// <summary>
/// In front of the registries of a test: one host answers every write (an upload opened, a manifest put) with a
/// 500 and the distribution spec's UNKNOWN error, as a registry whose storage broke does; its reads still work,
/// and every other host is passed through untouched.
/// </summary>
public sealed class BrokenStorage(string host, HttpMessageHandler registries) : DelegatingHandler(registries)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var isWrite = request.Method == HttpMethod.Post || request.Method == HttpMethod.Put || request.Method == HttpMethod.Patch;
        if (!isWrite || !string.Equals(request.RequestUri!.Authority, host, StringComparison.OrdinalIgnoreCase))
        {
            return base.SendAsync(request, cancellationToken);
        }
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)
        {
            RequestMessage = request,
            Content = new StringContent("""{"errors":[{"code":"UNKNOWN","message":"unknown error: storage driver failed"}]}""", Encoding.UTF8, "application/json"),
        });
    }
}
