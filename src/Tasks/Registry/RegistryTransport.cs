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

    /// <summary>
    /// The client for token requests to a realm that must stay on external addresses (<see cref="TokenServiceConnections"/>);
    /// null: the registries' client.
    /// </summary>
    public HttpClient? TokenServiceHttp { get; init; }

    /// <summary>Resolves a host name to its addresses (the token realm guard); replaceable in tests.</summary>
    public Func<string, CancellationToken, Task<IPAddress[]>> ResolveHost { get; init; } = Dns.GetHostAddressesAsync;

    /// <summary>Where credentials were looked for (variables, config files), for the message when there are none.</summary>
    public IReadOnlyList<string> CredentialsLookedFor { get; init; } = [];

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
        var challenges = ReadChallenges(response);
        var sentToken = response.RequestMessage?.Headers.Authorization is { Scheme: "Bearer", Parameter: { } value } ? value : null;
        response.Dispose();
        var challenge = Choose(challenges);
        // A token that expired during a long push is renewed here: the registry's 401 names the scope again. Only the
        // token this request carried is dropped: parallel first requests all come back 401 without one, and one of
        // them dropping the token another has just fetched would send that one's retry without any.
        if (sentToken is not null && _tokens.TryGetValue(scope, out var current) && current.Value == sentToken)
        {
            _tokens.TryRemove(new KeyValuePair<string, BearerToken>(scope, current));
        }
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
            else if (_useBasic && _credential?.ForBasic is { } basic)
            {
                request.Headers.Authorization = BasicHeader(basic);
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
    /// <param name="http">Another client than the registries' (<see cref="TokenServiceHttp"/>), or null.</param>
    private async Task<HttpResponseMessage> SendWatchedAsync(HttpRequestMessage request, CancellationToken cancellationToken, HttpClient? http = null)
    {
        var watchdog = new RequestWatchdog(InactivityTimeout, Registry.ToString(), $"{request.Method} {request.RequestUri?.AbsolutePath}", cancellationToken);
        try
        {
            if (request.Content is { } body)
            {
                request.Content = new WatchedRequestContent(body, watchdog);
            }
            var response = await (http ?? _http).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, watchdog.Token).ConfigureAwait(false);
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

    /// <summary>Every challenge of every WWW-Authenticate header, as sent (a header may hold several).</summary>
    internal static IReadOnlyList<AuthenticationChallenge> ReadChallenges(HttpResponseMessage response)
        => response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values)
            ? AuthenticationChallenge.ParseAll(values)
            : [];

    /// <summary>The challenge to answer: Bearer (with a token service), else Basic; null when none is supported.</summary>
    internal static AuthenticationChallenge? ChooseChallenge(IReadOnlyList<AuthenticationChallenge> challenges)
        => challenges.FirstOrDefault(c => c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(c.Realm))
           ?? challenges.FirstOrDefault(c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase));

    private AuthenticationChallenge Choose(IReadOnlyList<AuthenticationChallenge> challenges)
    {
        var chosen = ChooseChallenge(challenges);
        if (chosen is not null)
        {
            return chosen;
        }
        var offered = challenges.Select(c => c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) ? "Bearer without a token service (realm)" : c.Scheme)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        throw new RegistryAuthenticationException(Registry, AuthenticationFailure.Unsupported,
            offered.Length == 0
                ? $"Registry {Registry} requires authentication but did not say how (no WWW-Authenticate header)."
                : $"Registry {Registry} asks for authentication by {string.Join(", ", offered)}: none of these is supported (Bearer and Basic are).",
            HttpStatusCode.Unauthorized, _credential, CredentialsLookedFor);
    }

    /// <summary>What was tried: "the credentials of user 'alice' from …", or "anonymous access".</summary>
    private string Tried => _credential is null
        ? "anonymous access"
        : $"the credentials of {_credential.Describe()}{(_credential.IsIdentityToken && _credential.UserPassword is not null ? " (and the password stored with it)" : "")} from {_credential.Origin?.ToString() ?? "the build's configuration"}";

    private string NoneFound => _credential is null
        ? $"; no credentials were found for it (looked in: {(CredentialsLookedFor.Count > 0 ? string.Join("; ", CredentialsLookedFor) : "nowhere")})"
        : "";

    /// <summary>
    /// The registry answered 401 or 403 to <paramref name="operation"/> after authentication: which credentials were
    /// refused and where they came from, or where none were found. Never a secret.
    /// </summary>
    internal RegistryAuthenticationException Refused(string operation, string cause, HttpStatusCode status, IReadOnlyList<RegistryError>? errors = null)
        => new(Registry,
            _credential is null ? AuthenticationFailure.NoCredentials : status == HttpStatusCode.Forbidden ? AuthenticationFailure.Denied : AuthenticationFailure.Refused,
            $"Registry {Registry} refused to {operation} with {Tried}: {cause}{NoneFound}.", status, _credential, CredentialsLookedFor, errors);

    private async Task AuthenticateAsync(AuthenticationChallenge challenge, string scope, CancellationToken cancellationToken)
    {
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (_credential?.ForBasic is null)
            {
                throw _credential is null
                    ? new RegistryAuthenticationException(Registry, AuthenticationFailure.NoCredentials,
                        $"Registry {Registry} requires a user name and password (Basic){NoneFound}.", HttpStatusCode.Unauthorized, null, CredentialsLookedFor)
                    : new RegistryAuthenticationException(Registry, AuthenticationFailure.NeedsPassword,
                        $"Registry {Registry} requires a user name and password (Basic), but the credentials from {_credential.Origin?.ToString() ?? "the build's configuration"} are an identity token without a password.",
                        HttpStatusCode.Unauthorized, _credential, CredentialsLookedFor);
            }
            _useBasic = true;
            return;
        }
        // Bearer, with a realm (Choose picks no other).
        var realmText = challenge.Realm ?? "";
        if (!Uri.TryCreate(realmText, UriKind.Absolute, out var realm))
        {
            throw new TokenRealmRefusedException(Registry, realmText, "is not a URL");
        }
        var http = await CheckRealmAsync(realm, cancellationToken).ConfigureAwait(false) ? TokenServiceHttp ?? _http : _http;

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
            response = await RequestTokenAsync(http, realm, tokenUri.Uri, challenge.Service, scopes.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (RefusedAddressIn(e) is { } refused)
        {
            throw new TokenRealmRefusedException(Registry, realm.OriginalString,
                $"resolved to the internal address {refused.Address} when connected to, after the guard's lookup had found none (a name whose answer changes: DNS rebinding)");
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
                var status = response.StatusCode is HttpStatusCode.Forbidden ? HttpStatusCode.Forbidden : HttpStatusCode.Unauthorized;
                throw new RegistryAuthenticationException(Registry,
                    _credential is null ? AuthenticationFailure.NoCredentials : AuthenticationFailure.Refused,
                    $"Registry {Registry} refused {Tried}: its token service answered {(int)response.StatusCode}{NoneFound}.",
                    status, _credential, CredentialsLookedFor);
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
    /// know it (404), with the user name and password stored with the token when there is one. Otherwise the token
    /// GET, with Basic credentials when there are some.
    /// </summary>
    /// <param name="http">The registries' client, or <see cref="TokenServiceHttp"/> (<see cref="CheckRealmAsync"/>).</param>
    private async Task<HttpResponseMessage> RequestTokenAsync(HttpClient http, Uri realm, Uri getUri, string? service, string[] scopes, CancellationToken cancellationToken)
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
            var posted = await SendWatchedAsync(post, cancellationToken, http).ConfigureAwait(false);
            if (posted.StatusCode != HttpStatusCode.NotFound)
            {
                return posted;
            }
            posted.Dispose();
        }
        // The GET carries a user name and password when there are some: the variables', a config entry's (also the
        // one stored next to an identity token, when the service did not take the OAuth2 POST), or a helper's.
        using var get = new HttpRequestMessage(HttpMethod.Get, getUri);
        if (_credential?.ForBasic is { } basic)
        {
            get.Headers.Authorization = BasicHeader(basic);
        }
        return await SendWatchedAsync(get, cancellationToken, http).ConfigureAwait(false);
    }

    private static RealmAddressRefusedException? RefusedAddressIn(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is RealmAddressRefusedException refused)
            {
                return refused;
            }
        }
        return null;
    }

    /// <summary>
    /// The token service (realm) of this registry's own challenge is the one place credentials leave for, and
    /// only when it is http(s), not plain http for a registry reached over https, and not on an internal address
    /// (loopback, private, link-local, unspecified, unique-local) unless the registry itself is on one.
    /// </summary>
    /// <returns>
    /// Whether the token requests must go over <see cref="TokenServiceHttp"/>, whose connections resolve the realm's name
    /// again and refuse an internal address: when it passed because its name answered with none, and it is not the
    /// registry's own host (whose connections the credentials may use anyway).
    /// </returns>
    private async Task<bool> CheckRealmAsync(Uri realm, CancellationToken cancellationToken)
    {
        var registryBase = _baseUri ?? new Uri($"https://{Registry.Value}/");
        var refusal = TokenRealmGuard.Check(realm, registryBase, [], []);
        var answeredInternal = false;
        if (refusal is null && (realm.Scheme == Uri.UriSchemeHttp || realm.Scheme == Uri.UriSchemeHttps))
        {
            var realmAddresses = await AddressesOfAsync(realm.IdnHost, cancellationToken).ConfigureAwait(false);
            answeredInternal = realmAddresses.Any(TokenRealmGuard.IsInternal);
            var registryAddresses = answeredInternal
                ? await AddressesOfAsync(registryBase.IdnHost, cancellationToken).ConfigureAwait(false)
                : [];
            refusal = TokenRealmGuard.Check(realm, registryBase, realmAddresses, registryAddresses);
        }
        if (refusal is not null)
        {
            throw new TokenRealmRefusedException(Registry, realm.OriginalString, refusal);
        }
        return !answeredInternal && !string.Equals(realm.IdnHost, registryBase.IdnHost, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The addresses of <paramref name="host"/> (itself when it is one). None when it does not resolve: then no
    /// connection can be made to it either, and the token request fails as unreachable.
    /// </summary>
    private async Task<IPAddress[]> AddressesOfAsync(string host, CancellationToken cancellationToken)
    {
        try
        {
            return await TokenRealmGuard.AddressesOfAsync(host, ResolveHost, cancellationToken).ConfigureAwait(false);
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
        var rejection = _tls?.RejectionFor(Registry.Host);
        var (reason, cause) = socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => (UnreachableReason.ConnectionRefused, "connection refused"),
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => (UnreachableReason.HostNotFound, "host not found"),
            SocketError.TimedOut => (UnreachableReason.TimedOut, "connection timed out"),
            null when rejection is not null && (e.InnerException is AuthenticationException || e.HttpRequestError is HttpRequestError.SecureConnectionError)
                => (rejection.Reason, $"TLS handshake failed: {rejection.Description}"),
            null when e.InnerException is AuthenticationException tls => (UnreachableReason.TlsHandshakeFailed, $"TLS handshake failed: {tls.Message}"),
            null when e.HttpRequestError is HttpRequestError.SecureConnectionError => (UnreachableReason.TlsHandshakeFailed, $"TLS handshake failed: {e.Message}"),
            null => (UnreachableReason.Other, e.Message),
            _ => (UnreachableReason.ConnectionBroken, socket.Message),
        };
        // Refused connections and unknown hosts will not heal in seconds; resets and timeouts often do.
        var transient = socket?.SocketErrorCode is SocketError.ConnectionReset or SocketError.TimedOut or SocketError.ConnectionAborted or SocketError.Shutdown
                        || (socket is null && e.InnerException is IOException && e.InnerException is not AuthenticationException)
                        || e.HttpRequestError is HttpRequestError.ResponseEnded;
        return new RegistryUnreachableException($"Could not reach registry {Registry}: {cause.TrimEnd('.')}.", e) { IsTransient = transient, Reason = reason };
    }
}
