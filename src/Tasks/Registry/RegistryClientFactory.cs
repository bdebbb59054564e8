using Containers.Build.References;
using Containers.Build.Registry.Auth;

namespace Containers.Build.Registry;

/// <summary>Creates clients that share one connection pool; decides per registry whether plain HTTP is allowed.</summary>
public sealed class RegistryClientFactory : IDisposable
{
    private readonly HttpClient _http;
    private readonly Func<string, string?> _getEnvironmentVariable;

    /// <param name="handler">The registries' connections; null: a pool of its own.</param>
    /// <param name="tokenServiceHandler">
    /// The connections to token services that must stay on external addresses (<see cref="TokenServiceConnections"/>); null: a
    /// pool of its own whose connections check so, or <paramref name="handler"/>'s when that is given.
    /// </param>
    public RegistryClientFactory(HttpMessageHandler? handler = null, Func<string, string?>? getEnvironmentVariable = null, TlsPolicy? tls = null,
        HttpMessageHandler? tokenServiceHandler = null)
    {
        _getEnvironmentVariable = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;
        Tls = tls ?? new TlsPolicy(insecureHosts: InsecureFromEnvironment(_getEnvironmentVariable));
        _http = new HttpClient(handler ?? NewConnections(Tls))
        {
            // Large layers take as long as they take; cancellation comes from the build.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        tokenServiceHandler ??= handler is null ? TokenServiceConnections.CreateHandler((host, cancellationToken) => ResolveHost(host, cancellationToken), Tls) : null;
        if (tokenServiceHandler is not null)
        {
            _tokenServiceHttp = new HttpClient(tokenServiceHandler) { Timeout = Timeout.InfiniteTimeSpan };
            _tokenServiceHttp.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        }
    }

    /// <summary>A connection pool as the registries' (timeouts, and TLS validated by <paramref name="tls"/>).</summary>
    internal static SocketsHttpHandler NewConnections(TlsPolicy tls) => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        SslOptions = new System.Net.Security.SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                tls.Validate((sender as System.Net.Security.SslStream)?.TargetHostName ?? "", 0, certificate, chain, errors),
        },
    };

    private static readonly string UserAgent = $"Containers.Build/{typeof(RegistryClientFactory).Assembly.GetName().Version}";

    private readonly HttpClient? _tokenServiceHttp;

    public TlsPolicy Tls { get; }

    /// <summary>DOTNET_CONTAINER_INSECURE_REGISTRIES (the SDK's variable): host[:port] entries separated by ',' or ';'.</summary>
    public static IEnumerable<string> InsecureFromEnvironment(Func<string, string?> getVariable)
        => (getVariable("DOTNET_CONTAINER_INSECURE_REGISTRIES") ?? "").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>Told about every retry, so a slow push says why it is slow.</summary>
    public Action<string>? OnRetry { get; init; }

    public long ChunkSize { get; init; } = RegistryClient.DefaultChunkSize;

    /// <summary>A request to a registry that moves (almost) nothing for this long fails as stalled (ContainerRegistryTimeout).</summary>
    public TimeSpan InactivityTimeout { get; init; } = RegistryTransport.DefaultInactivityTimeout;

    /// <summary>Resolves host names for the token realm guard, and for the connections to token services it guards; replaceable in tests.</summary>
    public Func<string, CancellationToken, Task<System.Net.IPAddress[]>> ResolveHost { get; init; } = System.Net.Dns.GetHostAddressesAsync;

    /// <summary>Runs a credential helper by name for a server; replaceable in tests.</summary>
    public Func<string, string, RegistryCredential?> RunCredentialHelper { get; init; } = CredentialHelper.Get;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(RegistryHost, RegistryAccess), RegistryClient> _clients = new();

    /// <summary>
    /// The one client of this publish for <paramref name="registry"/> and <paramref name="access"/>: the same
    /// instance every time, so reading the base and pushing to one registry share credentials and tokens.
    /// </summary>
    public RegistryClient Get(RegistryHost registry, RegistryAccess access) => _clients.GetOrAdd((registry, access), key => Create(key.Item1, key.Item2));

    public RegistryClient Create(RegistryHost registry, RegistryAccess access)
    {
        // The SDK's environment variables first, then the files docker login and podman login write.
        var config = new ContainerConfigCredentialSource(_getEnvironmentVariable, RunCredentialHelper);
        var credential = EnvironmentCredentialSource.Find(access, _getEnvironmentVariable) ?? config.Find(registry);
        IReadOnlyList<string> looked = credential is null
            ? [.. EnvironmentCredentialSource.Variables(access).Select(v => "the environment variables " + v), .. config.PlacesLooked()]
            : [];
        return new RegistryClient(new RegistryTransport(registry, _http, credential, MayUsePlainHttp(registry), Retry, OnRetry, Tls)
        {
            CredentialsLookedFor = looked,
            InactivityTimeout = InactivityTimeout,
            ResolveHost = ResolveHost,
            TokenServiceHttp = _tokenServiceHttp,
        }) { ChunkSize = ChunkSize };
    }

    /// <summary>Loopback registries, and those listed as insecure (DOTNET_CONTAINER_INSECURE_REGISTRIES, ContainerInsecureRegistries).</summary>
    public bool MayUsePlainHttp(RegistryHost registry)
        => registry.IsLoopback || Tls.IsInsecure(registry.Host, registry.Port ?? 443);

    public void Dispose()
    {
        _http.Dispose();
        _tokenServiceHttp?.Dispose();
    }
}
