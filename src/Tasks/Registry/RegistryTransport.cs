using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Containers.Build.References;
using Containers.Build.Registry.Auth;

namespace Containers.Build.Registry;

/// <summary>
/// Sends requests to one registry: picks the scheme (HTTPS, or plain HTTP for loopback and explicitly
/// insecure registries), answers authentication challenges (Basic, Bearer tokens) and turns transport
/// failures into <see cref="RegistryUnreachableException"/>. Requests are built by a factory so a request can
/// be sent again after a challenge.
/// </summary>
public sealed class RegistryTransport
{
    private const int MaxTokenReplyBytes = 64 * 1024;

    private readonly HttpClient _http;
    private readonly RegistryCredential? _credential;
    private readonly bool _mayUsePlainHttp;
    // Layers are pushed in parallel: tokens are read and renewed from several requests at once.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, BearerToken> _tokens = new(StringComparer.Ordinal);
    private readonly RetryPolicy _retry;
    private readonly Action<string>? _onRetry;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private Uri? _baseUri;
    private bool _useBasic;

    private readonly TlsPolicy? _tls;

    public RegistryTransport(RegistryHost registry, HttpClient http, RegistryCredential? credential, bool mayUsePlainHttp, RetryPolicy? retry = null, Action<string>? onRetry = null, TlsPolicy? tls = null)
    {
        _tls = tls;
        _retry = retry ?? RetryPolicy.Default;
        _onRetry = onRetry;
        Registry = registry;
        _http = http;
        _credential = credential;
        _mayUsePlainHttp = mayUsePlainHttp;
    }

    public RegistryHost Registry { get; }

    /// <summary>The default of <see cref="InactivityTimeout"/> (ContainerRegistryTimeout).</summary>
    public static readonly TimeSpan DefaultInactivityTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A request that moves (almost) nothing for this long fails as stalled (ContainerRegistryTimeout).</summary>
    public TimeSpan InactivityTimeout { get; init; } = DefaultInactivityTimeout;

    /// <summary>Resolves a host name to its addresses (the token realm guard); replaceable in tests.</summary>
    public Func<string, CancellationToken, Task<IPAddress[]>> ResolveHost { get; init; } = Dns.GetHostAddressesAsync;

    /// <summary>How often and how long requests to this registry are tried.</summary>
    public RetryPolicy Retry => _retry;

    /// <summary>
    /// Sends the request made by <paramref name="createRequest"/> (given the registry's base URI), with the
    /// credentials for <paramref name="scope"/> (e.g. <c>repository:app:pull,push</c>).
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(Func<Uri, HttpRequestMessage> createRequest, string scope, CancellationToken cancellationToken)
        => await SendAsync(createRequest, scope, retry: true, cancellationToken).ConfigureAwait(false);

    /// <param name="retry">
    /// False for requests that must not be repeated blindly (a PATCH the registry may have partly received):
    /// their caller asks the registry where it stands instead.
    /// </param>
    public async Task<HttpResponseMessage> SendAsync(Func<Uri, HttpRequestMessage> createRequest, string scope, bool retry, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var maxAttempts = retry ? _retry.MaxAttempts : 1;
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage? response = null;
            RegistryUnreachableException? failure = null;
            try
            {
                response = await SendAuthenticatedAsync(createRequest, scope, cancellationToken).ConfigureAwait(false);
                if (!RetryPolicy.IsRetryable(response.StatusCode))
                {
                    return response;
                }
            }
            catch (RegistryUnreachableException e) when (e.IsTransient)
            {
                failure = e;
            }

            var elapsed = DateTimeOffset.UtcNow - started;
            if (attempt >= maxAttempts || elapsed >= _retry.MaxTotalTime)
            {
                if (failure is not null)
                {
                    throw failure;
                }
                return response!;
            }
            var delay = _retry.DelayBefore(attempt, response?.Headers.RetryAfter, DateTimeOffset.UtcNow, Random.Shared);
            var cause = failure?.Message ?? $"{(int)response!.StatusCode} {response.ReasonPhrase}";
            response?.Dispose();
            _onRetry?.Invoke($"Registry {Registry}: {cause}; trying again in {delay.TotalSeconds:0.0} s (attempt {attempt + 1} of {maxAttempts}).");
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpResponseMessage> SendAuthenticatedAsync(Func<Uri, HttpRequestMessage> createRequest, string scope, CancellationToken cancellationToken)
    {
        var baseUri = await GetBaseUriAsync(cancellationToken).ConfigureAwait(false);
        var request = createRequest(baseUri);
        var asked = $"{request.Method} {request.RequestUri?.AbsolutePath}";
        var response = await SendOnceAsync(request, scope, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // The 401 of another host (a followed redirect, an upload Location elsewhere) is never a reason to send
        // this registry's credentials anywhere: the request went there without them, and that is where it ends.
        if (response.RequestMessage?.RequestUri is { } answered && !IsOwnHost(answered))
        {
            response.Dispose();
            throw new ForeignHostChallengeException(Registry, answered.Authority, asked);
        }
        var challenge = ReadChallenge(response);
        response.Dispose();
        if (challenge is null)
        {
            throw new RegistryException($"Registry {Registry} requires authentication but did not say how (no WWW-Authenticate header).", HttpStatusCode.Unauthorized);
        }
        // A token that expired during a long push is renewed here: the registry's 401 names the scope again.
        _tokens.TryRemove(scope, out _);
        await AuthenticateAsync(challenge, scope, cancellationToken).ConfigureAwait(false);
        return await SendOnceAsync(createRequest(baseUri), scope, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, string scope, CancellationToken cancellationToken)
    {
        // Credentials only ever go to this registry's own host.
        if (request.RequestUri is { } uri && IsOwnHost(uri))
        {
            if (_tokens.TryGetValue(scope, out var token) && token.IsUsable(DateTimeOffset.UtcNow))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
            }
            else if (_useBasic && _credential is not null)
            {
                request.Headers.Authorization = BasicHeader(_credential);
            }
        }
        try
        {
            return await SendWatchedAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
        catch (IOException e)
        {
            // A connection dropped while the request body was being sent.
            throw new RegistryUnreachableException($"The connection to registry {Registry} broke: {e.Message}", e) { IsTransient = true };
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryUnreachableException($"Registry {Registry} did not answer in time ({request.Method} {request.RequestUri?.AbsolutePath}).", e) { IsTransient = true };
        }
        finally
        {
            request.Dispose();
        }
    }

    /// <summary>
    /// Sends one request under its own inactivity watchdog (<see cref="InactivityTimeout"/>): connecting, the TLS
    /// handshake, sending, waiting for the answer and reading its body must each keep moving, or the request fails
    /// with <see cref="RegistryStalledException"/>. The build's cancellation stops it at once, as before. The
    /// response's body carries the watchdog (and disposes it).
    /// </summary>
    private async Task<HttpResponseMessage> SendWatchedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var watchdog = new RequestWatchdog(InactivityTimeout, Registry.ToString(), $"{request.Method} {request.RequestUri?.AbsolutePath}", cancellationToken);
        try
        {
            if (request.Content is { } body)
            {
                request.Content = new WatchedRequestContent(body, watchdog);
            }
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, watchdog.Token).ConfigureAwait(false);
            watchdog.Enter("reading its answer to");
            response.Content = new WatchedResponseContent(response.Content, watchdog);
            return response;
        }
        catch (Exception e) when (watchdog.HasFired && !cancellationToken.IsCancellationRequested && e is OperationCanceledException or HttpRequestException or IOException)
        {
            watchdog.Dispose();
            throw watchdog.Stalled(e);
        }
        catch
        {
            watchdog.Dispose();
            throw;
        }
    }

    private bool IsOwnHost(Uri uri)
        => _baseUri is not null
           && string.Equals(uri.Scheme, _baseUri.Scheme, StringComparison.OrdinalIgnoreCase)
           && string.Equals(uri.Authority, _baseUri.Authority, StringComparison.OrdinalIgnoreCase);

    private static AuthenticationChallenge? ReadChallenge(HttpResponseMessage response)
    {
        var header = response.Headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            ?? response.Headers.WwwAuthenticate.FirstOrDefault();
        return header is null ? null : AuthenticationChallenge.Parse(header.Scheme, header.Parameter);
    }

    private async Task AuthenticateAsync(AuthenticationChallenge challenge, string scope, CancellationToken cancellationToken)
    {
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (_credential is null or { IsIdentityToken: true })
            {
                throw new RegistryException(
                    $"Registry {Registry} requires a user name and password. Log in (docker login / podman login {Registry}) or set DOTNET_CONTAINER_REGISTRY_UNAME and DOTNET_CONTAINER_REGISTRY_PWORD.",
                    HttpStatusCode.Unauthorized);
            }
            _useBasic = true;
            return;
        }
        if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(challenge.Realm))
        {
            throw new RegistryException($"Registry {Registry} asks for '{challenge.Scheme}' authentication, which is not supported.", HttpStatusCode.Unauthorized);
        }
        if (!Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm))
        {
            throw new TokenRealmRefusedException(Registry, challenge.Realm, "is not a URL");
        }
        await CheckRealmAsync(realm, cancellationToken).ConfigureAwait(false);

        // One token for everything this request needs: the scope we asked for and the one the registry names.
        var scopes = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Concat((challenge.Scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Distinct(StringComparer.Ordinal);
        var query = new StringBuilder();
        if (challenge.Service is not null)
        {
            query.Append("service=").Append(Uri.EscapeDataString(challenge.Service));
        }
        foreach (var s in scopes)
        {
            query.Append(query.Length > 0 ? "&" : "").Append("scope=").Append(Uri.EscapeDataString(s));
        }
        var tokenUri = new UriBuilder(realm) { Query = string.IsNullOrEmpty(realm.Query) ? query.ToString() : realm.Query.TrimStart('?') + "&" + query };

        HttpResponseMessage response;
        try
        {
            response = await RequestTokenAsync(realm, tokenUri.Uri, challenge.Service, scopes.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryUnreachableException($"The token service {realm.GetLeftPart(UriPartial.Path)} of registry {Registry} could not be reached: {e.Message}", e);
        }
        using (response)
        {
            var body = await ReadBoundedAsync(response.Content, MaxTokenReplyBytes, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var what = _credential switch
                {
                    null => "anonymous access was refused; log in (docker login / podman login) or set DOTNET_CONTAINER_REGISTRY_UNAME and DOTNET_CONTAINER_REGISTRY_PWORD",
                    { IsIdentityToken: true } => "the identity token was refused; log in again",
                    _ => $"the credentials for user '{_credential.UserName}' were refused; check them",
                };
                throw new RegistryException($"Registry {Registry}: {what} (token service answered {(int)response.StatusCode}).", response.StatusCode);
            }
            try
            {
                _tokens[scope] = BearerToken.Parse(body, DateTimeOffset.UtcNow);
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new RegistryException($"Registry {Registry}'s token service sent a reply that is not a token: {e.Message}", response.StatusCode);
            }
        }
    }

    /// <summary>
    /// With an identity token: the OAuth2 refresh-token POST, falling back to GET when the service does not
    /// know it (404). Otherwise the token GET, with Basic credentials when there are some.
    /// </summary>
    private async Task<HttpResponseMessage> RequestTokenAsync(Uri realm, Uri getUri, string? service, string[] scopes, CancellationToken cancellationToken)
    {
        if (_credential is { IsIdentityToken: true } identity)
        {
            var form = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "refresh_token"),
                new("refresh_token", identity.Secret),
                new("client_id", "containers-build"),
                new("scope", string.Join(' ', scopes)),
            };
            if (service is not null)
            {
                form.Add(new("service", service));
            }
            using var post = new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
            var posted = await SendWatchedAsync(post, cancellationToken).ConfigureAwait(false);
            if (posted.StatusCode != HttpStatusCode.NotFound)
            {
                return posted;
            }
            posted.Dispose();
        }
        using var get = new HttpRequestMessage(HttpMethod.Get, getUri);
        if (_credential is { IsIdentityToken: false })
        {
            get.Headers.Authorization = BasicHeader(_credential);
        }
        return await SendWatchedAsync(get, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The token service (realm) of this registry's own challenge is the one place credentials leave for, and
    /// only when it is http(s), not plain http for a registry reached over https, and not on an internal address
    /// (loopback, private, link-local, unspecified, unique-local) unless the registry itself is on one.
    /// </summary>
    private async Task CheckRealmAsync(Uri realm, CancellationToken cancellationToken)
    {
        var registryBase = _baseUri ?? new Uri($"https://{Registry.Value}/");
        var refusal = TokenRealmGuard.Check(realm, registryBase, [], []);
        if (refusal is null && (realm.Scheme == Uri.UriSchemeHttp || realm.Scheme == Uri.UriSchemeHttps))
        {
            var realmAddresses = await AddressesOfAsync(realm.IdnHost, cancellationToken).ConfigureAwait(false);
            var registryAddresses = realmAddresses.Any(TokenRealmGuard.IsInternal)
                ? await AddressesOfAsync(registryBase.IdnHost, cancellationToken).ConfigureAwait(false)
                : [];
            refusal = TokenRealmGuard.Check(realm, registryBase, realmAddresses, registryAddresses);
        }
        if (refusal is not null)
        {
            throw new TokenRealmRefusedException(Registry, realm.OriginalString, refusal);
        }
    }

    /// <summary>
    /// The addresses of <paramref name="host"/> (itself when it is one). None when it does not resolve: then no
    /// connection can be made to it either, and the token request fails as unreachable.
    /// </summary>
    private async Task<IPAddress[]> AddressesOfAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return [literal];
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return [IPAddress.Loopback, IPAddress.IPv6Loopback];
        }
        try
        {
            return await ResolveHost(host, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return [];
        }
    }

    private static AuthenticationHeaderValue BasicHeader(RegistryCredential credential)
        => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.UserName}:{credential.Secret}")));

    internal static async Task<string> ReadBoundedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[maxBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }
        return Encoding.UTF8.GetString(buffer, 0, Math.Min(total, maxBytes));
    }

    private async Task<Uri> GetBaseUriAsync(CancellationToken cancellationToken)
    {
        if (_baseUri is not null)
        {
            return _baseUri;
        }
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_baseUri is not null)
            {
                return _baseUri;
            }
            var https = new Uri($"https://{Registry.Value}/");
            if (!_mayUsePlainHttp)
            {
                return _baseUri = https;
            }
            // A loopback or explicitly insecure registry: HTTPS when it speaks TLS, else plain HTTP.
            try
            {
                using var probe = new HttpRequestMessage(HttpMethod.Get, new Uri(https, "v2/"));
                using var response = await SendWatchedAsync(probe, cancellationToken).ConfigureAwait(false);
                return _baseUri = https;
            }
            catch (HttpRequestException e) when (IsTlsFailure(e) && _tls?.RejectionFor(Registry.Host) is null)
            {
                // It does not speak TLS at all. (A certificate that was rejected is an error, not a reason to drop TLS.)
                return _baseUri = new Uri($"http://{Registry.Value}/");
            }
            catch (HttpRequestException e)
            {
                throw Unreachable(e);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private static bool IsTlsFailure(HttpRequestException e)
        => e.InnerException is AuthenticationException or IOException
           || e.HttpRequestError is HttpRequestError.SecureConnectionError or HttpRequestError.InvalidResponse;

    private RegistryUnreachableException Unreachable(HttpRequestException e)
    {
        var socket = e.InnerException as SocketException ?? e.InnerException?.InnerException as SocketException;
        var cause = socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
            SocketError.TimedOut => "connection timed out",
            null => _tls?.RejectionFor(Registry.Host) is { } rejection
                ? $"TLS handshake failed: {rejection}"
                : e.InnerException is AuthenticationException tls ? $"TLS handshake failed: {tls.Message}" : e.Message,
            _ => socket.Message,
        };
        // Refused connections and unknown hosts will not heal in seconds; resets and timeouts often do.
        var transient = socket?.SocketErrorCode is SocketError.ConnectionReset or SocketError.TimedOut or SocketError.ConnectionAborted or SocketError.Shutdown
                        || (socket is null && e.InnerException is IOException && e.InnerException is not AuthenticationException)
                        || e.HttpRequestError is HttpRequestError.ResponseEnded;
        return new RegistryUnreachableException($"Could not reach registry {Registry}: {cause}.", e) { IsTransient = transient };
    }
}
