using Containers.Build.References;
using Containers.Build.Registry.Auth;

namespace Containers.Build.Registry;

/// <summary>Creates clients that share one connection pool; decides per registry whether plain HTTP is allowed.</summary>
public sealed class RegistryClientFactory : IDisposable
{
    private readonly HttpClient _http;
    private readonly Func<string, string?> _getEnvironmentVariable;

    public RegistryClientFactory(HttpMessageHandler? handler = null, Func<string, string?>? getEnvironmentVariable = null)
    {
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            // Large layers take as long as they take; cancellation comes from the build.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd($"Containers.Build/{typeof(RegistryClientFactory).Assembly.GetName().Version}");
        _getEnvironmentVariable = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;
    }

    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>Told about every retry, so a slow push says why it is slow.</summary>
    public Action<string>? OnRetry { get; init; }

    public long ChunkSize { get; init; } = RegistryClient.DefaultChunkSize;

    /// <summary>Runs a credential helper by name for a server; replaceable in tests.</summary>
    public Func<string, string, RegistryCredential?> RunCredentialHelper { get; init; } = CredentialHelper.Get;

    public RegistryClient Create(RegistryHost registry, RegistryAccess access)
    {
        // The SDK's environment variables first, then the files docker login and podman login write.
        var credential = EnvironmentCredentialSource.Find(access, _getEnvironmentVariable)
            ?? new ContainerConfigCredentialSource(_getEnvironmentVariable, RunCredentialHelper).Find(registry);
        return new RegistryClient(new RegistryTransport(registry, _http, credential, MayUsePlainHttp(registry), Retry, OnRetry)) { ChunkSize = ChunkSize };
    }

    /// <summary>Loopback registries, and those listed in DOTNET_CONTAINER_INSECURE_REGISTRIES (the SDK's variable).</summary>
    public bool MayUsePlainHttp(RegistryHost registry)
    {
        if (registry.IsLoopback)
        {
            return true;
        }
        var insecure = _getEnvironmentVariable("DOTNET_CONTAINER_INSECURE_REGISTRIES") ?? "";
        return insecure.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(entry => string.Equals(entry, registry.Value, StringComparison.OrdinalIgnoreCase));
    }

    public void Dispose() => _http.Dispose();
}
