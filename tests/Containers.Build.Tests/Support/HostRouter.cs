namespace Containers.Build.Tests.Support;

/// <summary>Sends each request to the in-memory registry of its host: several registries behind one HTTP client.</summary>
public sealed class HostRouter(params InMemoryRegistry[] registries) : HttpMessageHandler
{
    private readonly Dictionary<string, HttpMessageInvoker> _byHost = registries.ToDictionary(r => r.Host, r => new HttpMessageInvoker(r, disposeHandler: false), StringComparer.OrdinalIgnoreCase);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => _byHost.TryGetValue(request.RequestUri!.Authority, out var registry)
            ? registry.SendAsync(request, cancellationToken)
            : throw new HttpRequestException($"No registry at {request.RequestUri.Authority} (connection refused).", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
}
