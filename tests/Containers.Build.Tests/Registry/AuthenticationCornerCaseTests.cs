using System.Net;
using System.Security.Authentication;
using System.Text;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Registry;

/// <summary>
/// Authentication corner cases against a scripted registry on a real loopback socket: several challenges, the
/// OAuth2 fallback, and what CB2004 and CB2003 say (where the credentials came from, advice once, TLS advice).
/// </summary>
public sealed class AuthenticationCornerCaseTests : IDisposable
{
    private const string User = "alice";
    private const string Password = "pa55-w0rd-secret";
    private static readonly Digest Blob = Digest.Compute("x"u8);
    private static readonly ErrorBoundary.Context Context = new("registry.test/base:1", "registry.test/base:1", false);
    private static readonly string BasicValue = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));

    private readonly TempDirectory _home = new("cb-auth-home");
    private readonly List<RegistryClientFactory> _factories = [];

    public void Dispose()
    {
        foreach (var factory in _factories)
        {
            factory.Dispose();
        }
        _home.Dispose();
    }

    private string ConfigPath => _home.Combine(".docker/config.json");

    private void DockerConfig(string json) => _home.WriteFile(".docker/config.json", json);

    private static Dictionary<string, string> PushVariables => new()
    {
        ["DOTNET_CONTAINER_PUSH_REGISTRY_UNAME"] = User,
        ["DOTNET_CONTAINER_PUSH_REGISTRY_PWORD"] = Password,
    };

    private RegistryClient Client(string registry, Dictionary<string, string>? environment = null,
        Func<string, string, RegistryCredential?>? helper = null, HttpMessageHandler? handler = null)
    {
        var factory = new RegistryClientFactory(handler, name => name == "HOME" ? _home.Path : environment?.GetValueOrDefault(name))
        {
            Retry = RetryPolicy.None,
            RunCredentialHelper = helper ?? ((_, _) => null),
        };
        _factories.Add(factory);
        return factory.Create(RegistryHost.Parse(registry), RegistryAccess.Push);
    }

    /// <summary>A registry that accepts <paramref name="accepted"/> and otherwise answers 401 with these WWW-Authenticate headers.</summary>
    private static HostileRegistry Challenging(string accepted, params string[] challenges) => HostileRegistry.Start((request, response) =>
        request.Authorization == accepted
            ? response.SendAsync(HttpStatusCode.OK, "{}")
            : response.SendAsync(HttpStatusCode.Unauthorized, "", challenges.Select(c => ("WWW-Authenticate", c)).ToArray()));

    /// <summary>
    /// A registry with its token service on /token: the OAuth2 POST answers <paramref name="post"/>, the GET gives a
    /// token only for Basic alice:password; /v2/ wants that token.
    /// </summary>
    private static HostileRegistry WithTokenService(HttpStatusCode post, Func<int, string> challenge) => HostileRegistry.Start((request, response) =>
    {
        if (request.Path == "/token")
        {
            if (request.Method == "POST")
            {
                return response.SendAsync(post, "");
            }
            return request.Authorization == BasicValue
                ? response.SendAsync(HttpStatusCode.OK, """{"token":"granted","expires_in":300}""")
                : response.SendAsync(HttpStatusCode.Unauthorized, "");
        }
        return request.Authorization == "Bearer granted"
            ? response.SendAsync(HttpStatusCode.OK, "{}")
            : response.SendAsync(HttpStatusCode.Unauthorized, "", ("WWW-Authenticate", challenge(int.Parse(request.Headers["Host"].Split(':')[1]))));
    });

    private static string BearerChallenge(int port) => $"Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"hostile\"";

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    // ---- Several challenges: one the client supports is used (Bearer, then Basic) ----

    [Fact]
    public async Task Negotiate_then_basic_in_one_header_answers_with_basic()
    {
        await using var registry = Challenging(BasicValue, "Negotiate, Basic realm=\"registry\"");

        Assert.True(await Client(registry.Host, PushVariables).BlobExistsAsync("app", Blob, CancellationToken.None));
        Assert.Contains(registry.Requests, r => r.Authorization == BasicValue);
    }

    [Fact]
    public async Task Negotiate_and_basic_in_two_headers_answers_with_basic()
    {
        await using var registry = Challenging(BasicValue, "Negotiate", "Basic realm=\"registry\"");

        Assert.True(await Client(registry.Host, PushVariables).BlobExistsAsync("app", Blob, CancellationToken.None));
        Assert.Contains(registry.Requests, r => r.Authorization == BasicValue);
    }

    [Fact]
    public async Task Bearer_is_preferred_among_other_challenges_in_one_header()
    {
        await using var registry = WithTokenService(HttpStatusCode.NotFound,
            port => $"Negotiate, Basic realm=\"registry\", {BearerChallenge(port)}");

        Assert.True(await Client(registry.Host, PushVariables).BlobExistsAsync("app", Blob, CancellationToken.None));
        var token = Assert.Single(registry.Requests, r => r.Path == "/token");
        Assert.Equal("GET", token.Method);
        Assert.Equal(BasicValue, token.Authorization);
        Assert.DoesNotContain(registry.Requests, r => r.Path.StartsWith("/v2/", StringComparison.Ordinal) && r.Authorization == BasicValue);
    }

    [Fact]
    public async Task A_bearer_challenge_without_a_token_service_is_passed_over_for_basic()
    {
        await using var registry = Challenging(BasicValue, "Bearer service=\"hostile\"", "Basic realm=\"registry\"");

        Assert.True(await Client(registry.Host, PushVariables).BlobExistsAsync("app", Blob, CancellationToken.None));
        Assert.Contains(registry.Requests, r => r.Authorization == BasicValue);
    }

    [Fact]
    public async Task Only_unsupported_challenges_are_an_error_naming_them_all()
    {
        await using var registry = Challenging("never", "Negotiate", "NTLM");

        var thrown = await Record.ExceptionAsync(() => Client(registry.Host, PushVariables).BlobExistsAsync("app", Blob, CancellationToken.None));

        var (code, message) = ErrorBoundary.Diagnose(Assert.IsAssignableFrom<RegistryException>(thrown), Context);
        Assert.Equal(DiagnosticCodes.RegistryAuthenticationFailed, code);
        Assert.Contains("Negotiate", message, StringComparison.Ordinal);
        Assert.Contains("NTLM", message, StringComparison.Ordinal);
        Assert.Contains("Basic", message, StringComparison.Ordinal);
        Assert.DoesNotContain(registry.Requests, r => r.Authorization is not null);
    }

    // ---- The OAuth2 fallback carries the config's user:password ----

    [Fact]
    public async Task The_get_after_a_404_to_the_oauth2_post_carries_the_configs_user_and_password()
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
        await using var registry = WithTokenService(HttpStatusCode.NotFound, BearerChallenge);
        DockerConfig("{\"auths\":{\"" + registry.Host + "\":{\"auth\":\"" + auth + "\",\"identitytoken\":\"refresh-123\"}}}");

        Assert.True(await Client(registry.Host).BlobExistsAsync("app", Blob, CancellationToken.None));

        var post = Assert.Single(registry.Requests, r => r.Path == "/token" && r.Method == "POST");
        Assert.Contains("refresh_token=refresh-123", Encoding.UTF8.GetString(post.Body), StringComparison.Ordinal);
        var get = Assert.Single(registry.Requests, r => r.Path == "/token" && r.Method == "GET");
        Assert.Equal(BasicValue, get.Authorization);
    }

    [Fact]
    public async Task A_basic_challenge_uses_the_user_and_password_stored_with_an_identity_token()
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
        await using var registry = Challenging(BasicValue, "Basic realm=\"registry\"");
        DockerConfig("{\"auths\":{\"" + registry.Host + "\":{\"auth\":\"" + auth + "\",\"identitytoken\":\"refresh-123\"}}}");

        Assert.True(await Client(registry.Host).BlobExistsAsync("app", Blob, CancellationToken.None));
    }

    // ---- CB2004 says which credentials were tried, where they came from, and gives its advice once ----

    [Fact]
    public async Task Refused_credentials_from_environment_variables_name_the_variables_and_do_not_advise_setting_them()
    {
        await using var registry = Challenging("never", "Basic realm=\"registry\"");

        var thrown = await Record.ExceptionAsync(() => Client(registry.Host, PushVariables).BlobExistsAsync("app", Blob, CancellationToken.None));

        var (code, message) = ErrorBoundary.Diagnose(Assert.IsAssignableFrom<RegistryException>(thrown), Context);
        Assert.Equal(DiagnosticCodes.RegistryAuthenticationFailed, code);
        Assert.Contains($"'{User}'", message, StringComparison.Ordinal);
        Assert.Contains("DOTNET_CONTAINER_PUSH_REGISTRY_UNAME", message, StringComparison.Ordinal);
        Assert.Contains("refused", message, StringComparison.Ordinal);
        // The variables the user did set, not the ones the advice used to name; and never the password.
        Assert.DoesNotContain("DOTNET_CONTAINER_REGISTRY_UNAME", message, StringComparison.Ordinal);
        Assert.DoesNotContain("set DOTNET", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Password, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_from_a_config_file_refused_by_the_token_service_name_the_file_once()
    {
        await using var registry = WithTokenService(HttpStatusCode.NotFound, BearerChallenge);
        DockerConfig("{\"auths\":{\"" + registry.Host + "\":{\"auth\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:wrong-{Password}")) + "\"}}}");

        var thrown = await Record.ExceptionAsync(() => Client(registry.Host).BlobExistsAsync("app", Blob, CancellationToken.None));

        var (code, message) = ErrorBoundary.Diagnose(Assert.IsAssignableFrom<RegistryException>(thrown), Context);
        Assert.Equal(DiagnosticCodes.RegistryAuthenticationFailed, code);
        Assert.Contains(ConfigPath, message, StringComparison.Ordinal);
        Assert.Contains($"'{User}'", message, StringComparison.Ordinal);
        Assert.Contains("refused", message, StringComparison.Ordinal);
        Assert.DoesNotContain("DOTNET_CONTAINER", message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, message, StringComparison.Ordinal);
        Assert.Equal(1, Count(message, "docker login"));
    }

    [Fact]
    public async Task Credentials_from_a_helper_refused_by_the_registry_name_the_helper()
    {
        await using var registry = Challenging("never", "Basic realm=\"registry\"");
        DockerConfig("{\"credHelpers\":{\"" + registry.Host + "\":\"fake\"}}");

        var thrown = await Record.ExceptionAsync(() => Client(registry.Host, helper: (_, _) => new RegistryCredential(User, Password))
            .BlobExistsAsync("app", Blob, CancellationToken.None));

        var (code, message) = ErrorBoundary.Diagnose(Assert.IsAssignableFrom<RegistryException>(thrown), Context);
        Assert.Equal(DiagnosticCodes.RegistryAuthenticationFailed, code);
        Assert.Contains("docker-credential-fake", message, StringComparison.Ordinal);
        Assert.Contains(ConfigPath, message, StringComparison.Ordinal);
        Assert.Contains("refused", message, StringComparison.Ordinal);
        Assert.DoesNotContain("DOTNET_CONTAINER", message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_credentials_found_says_so_with_the_places_looked_and_advises_once()
    {
        await using var registry = WithTokenService(HttpStatusCode.NotFound, BearerChallenge);

        var thrown = await Record.ExceptionAsync(() => Client(registry.Host).BlobExistsAsync("app", Blob, CancellationToken.None));

        var (code, message) = ErrorBoundary.Diagnose(Assert.IsAssignableFrom<RegistryException>(thrown), Context);
        Assert.Equal(DiagnosticCodes.RegistryAuthenticationFailed, code);
        Assert.Contains("no credentials", message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("DOTNET_CONTAINER_PUSH_REGISTRY_UNAME", message, StringComparison.Ordinal);
        Assert.Contains(ConfigPath, message, StringComparison.Ordinal);
        Assert.Equal(1, Count(message, "docker login"));
        Assert.Equal(1, Count(message, "set DOTNET_CONTAINER_REGISTRY_UNAME"));
    }

    // ---- CB2003 after a TLS failure: TLS advice, not "is it running" ----

    [Fact]
    public async Task An_untrusted_certificate_advises_about_tls_and_not_whether_the_registry_runs()
    {
        await using var registry = HostileRegistry.Start((_, response) => response.SendAsync(HttpStatusCode.OK, "{}"), certificate: HostileRegistry.SelfSignedCertificate());

        var thrown = await Record.ExceptionAsync(() => Client(registry.Host).BlobExistsAsync("app", Blob, CancellationToken.None));

        var error = Assert.IsAssignableFrom<RegistryUnreachableException>(thrown);
        // The core says what happened; the advice naming settings is the error boundary's, once.
        Assert.DoesNotContain("ContainerRegistryCaCertificates", error.Message, StringComparison.Ordinal);
        var (code, message) = ErrorBoundary.Diagnose(error, Context);
        Assert.Equal(DiagnosticCodes.RegistryUnreachable, code);
        Assert.Contains("certificate", message, StringComparison.Ordinal);
        Assert.Equal(1, Count(message, "ContainerRegistryCaCertificates"));
        Assert.Contains("ContainerInsecureRegistries", message, StringComparison.Ordinal);
        Assert.DoesNotContain("running", message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(registry.Requests);
    }

    [Fact]
    public async Task A_failed_tls_handshake_advises_about_tls_and_not_whether_the_registry_runs()
    {
        var handler = new FakeHttpHandler(_ => throw new HttpRequestException(HttpRequestError.SecureConnectionError, "The SSL connection could not be established, see inner exception.",
            new AuthenticationException("Authentication failed because the remote party sent a TLS alert: 'HandshakeFailure'.")));

        var thrown = await Record.ExceptionAsync(() => Client("registry.test", handler: handler).BlobExistsAsync("app", Blob, CancellationToken.None));

        var (code, message) = ErrorBoundary.Diagnose(Assert.IsAssignableFrom<RegistryUnreachableException>(thrown), Context);
        Assert.Equal(DiagnosticCodes.RegistryUnreachable, code);
        Assert.Contains("TLS", message, StringComparison.Ordinal);
        Assert.Contains("ContainerInsecureRegistries", message, StringComparison.Ordinal);
        Assert.DoesNotContain("running", message, StringComparison.OrdinalIgnoreCase);
    }
}
