using System.Text;
using System.Text.Json.Nodes;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// Authentication and TLS against the real distribution registry: HTTPS with a private CA and htpasswd,
/// and bearer tokens from a token service. Secrets never show up in the build log, even at -v:diag.
/// </summary>
public class RegistryAuthenticationTests
{
    private static Dictionary<string, string?> Credentials(string user = TestEnvironment.TestUser, string password = TestEnvironment.TestPassword) => new()
    {
        ["DOTNET_CONTAINER_REGISTRY_UNAME"] = user,
        ["DOTNET_CONTAINER_REGISTRY_PWORD"] = password,
    };

    private static string Tail(ProcessResult result) => result.ToString() is var text && text.Length > 6000 ? text[^6000..] : result.ToString();

    private static string DockerConfig(SampleProject sample, JsonObject auth)
    {
        var directory = Path.Combine(sample.Root, "docker-config");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), new JsonObject { ["auths"] = auth }.ToJsonString());
        return directory;
    }

    [IntegrationFact]
    public async Task Https_with_a_private_ca_and_basic_auth_from_the_docker_config()
    {
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("tls");
        var registry = TestEnvironment.TlsRegistry;
        var config = DockerConfig(sample, new JsonObject
        {
            [registry] = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestEnvironment.TestUser}:{TestEnvironment.TestPassword}")) },
        });

        var publish = await sample.PublishImageAsync(new Dictionary<string, string?> { ["DOCKER_CONFIG"] = config },
            $"ContainerRegistry={registry}", $"ContainerBaseImage={registry}/dotnet/aspnet:10.0", $"ContainerRepository={repository}",
            $"ContainerRegistryCaCertificates={TestEnvironment.TestCaBundle}", "-v:diag");
        Assert.True(publish.ExitCode == 0, Tail(publish));
        Assert.DoesNotContain(TestEnvironment.TestPassword, publish.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestEnvironment.TestUser}:{TestEnvironment.TestPassword}")), publish.Output, StringComparison.Ordinal);
        Assert.Matches(@"base [\d.]+ \w+ mounted", publish.Output);

        // skopeo takes a folder of CA certificates (and would read any *.key there as a client key).
        var certs = Path.Combine(sample.Root, "certs");
        Directory.CreateDirectory(certs);
        File.Copy(TestEnvironment.TestCaBundle, Path.Combine(certs, "ca.crt"));
        var inspect = await TestEnvironment.SkopeoAsync("inspect", "--cert-dir", certs,
            "--creds", $"{TestEnvironment.TestUser}:{TestEnvironment.TestPassword}", "--format", "{{.Digest}}", $"docker://{registry}/{repository}:latest");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Equal(SampleProject.PushedDigest(publish), inspect.Output.Trim());
    }

    [IntegrationFact]
    public async Task An_untrusted_certificate_is_a_clear_error_and_never_a_downgrade_to_http()
    {
        using var sample = await SampleProject.CreateAsync();
        var registry = TestEnvironment.TlsRegistry;
        var publish = await sample.PublishImageAsync(Credentials(), $"ContainerRegistry={registry}", $"ContainerBaseImage={registry}/dotnet/aspnet:10.0");
        Assert.True(publish.ExitCode != 0, publish.ToString());
        Assert.Contains("error CB2003", publish.Output, StringComparison.Ordinal);
        Assert.Contains("ContainerRegistryCaCertificates", publish.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("MSB4018", publish.Output, StringComparison.Ordinal);
    }

    [IntegrationFact]
    public async Task Wrong_credentials_are_an_authentication_error()
    {
        using var sample = await SampleProject.CreateAsync();
        var registry = TestEnvironment.TlsRegistry;
        var publish = await sample.PublishImageAsync(Credentials(password: "not-the-password"), $"ContainerRegistry={registry}",
            $"ContainerBaseImage={registry}/dotnet/aspnet:10.0", $"ContainerRegistryCaCertificates={TestEnvironment.TestCaBundle}");
        Assert.True(publish.ExitCode != 0, publish.ToString());
        Assert.Contains("error CB2004", publish.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", publish.Output, StringComparison.Ordinal);
    }

    [IntegrationFact]
    public async Task Bearer_tokens_from_the_token_service_with_one_token_for_push_and_mount()
    {
        var tokens = TokenServer.Instance;
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("token");
        var registry = TestEnvironment.TokenRegistry;

        // Credentials from the environment, as the SDK reads them. (MSBuild itself prints the environment at
        // -v:diag, so secrets belong in a docker config or a credential helper; those are checked at -v:diag.)
        var publish = await sample.PublishImageAsync(Credentials(), $"ContainerRegistry={registry}", $"ContainerBaseImage={registry}/dotnet/aspnet:10.0",
            $"ContainerRepository={repository}", "-v:detailed");
        Assert.True(publish.ExitCode == 0, Tail(publish));
        Assert.Matches(@"base [\d.]+ \w+ mounted", publish.Output);
        Assert.DoesNotContain(TestEnvironment.TestPassword, publish.Output, StringComparison.Ordinal);
        // The mount needed push on the target and pull on the source: asked for in one token.
        Assert.Contains(tokens.Requests, r => r.Contains($"repository:{repository}:pull,push", StringComparison.Ordinal)
                                              && r.Contains("repository:dotnet/aspnet:pull", StringComparison.Ordinal));
    }

    [IntegrationFact]
    public async Task An_identity_token_is_exchanged_with_an_oauth2_post()
    {
        var tokens = TokenServer.Instance;
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("identity");
        var registry = TestEnvironment.TokenRegistry;
        var config = DockerConfig(sample, new JsonObject { [registry] = new JsonObject { ["identitytoken"] = TokenServer.RefreshToken } });

        var publish = await sample.PublishImageAsync(new Dictionary<string, string?> { ["DOCKER_CONFIG"] = config },
            $"ContainerRegistry={registry}", $"ContainerBaseImage={registry}/dotnet/aspnet:10.0", $"ContainerRepository={repository}", "-v:diag");
        Assert.True(publish.ExitCode == 0, Tail(publish));
        Assert.DoesNotContain(TokenServer.RefreshToken, publish.Output, StringComparison.Ordinal);
        Assert.Contains(tokens.Requests, r => r.StartsWith("POST", StringComparison.Ordinal) && r.Contains(repository, StringComparison.Ordinal));
    }

    [IntegrationFact]
    public async Task Anonymous_access_to_a_token_registry_says_how_to_log_in()
    {
        _ = TokenServer.Instance;
        using var sample = await SampleProject.CreateAsync();
        var registry = TestEnvironment.TokenRegistry;
        var publish = await sample.PublishImageAsync(new Dictionary<string, string?> { ["DOCKER_CONFIG"] = Path.Combine(sample.Root, "no-config") },
            $"ContainerRegistry={registry}", $"ContainerBaseImage={registry}/dotnet/aspnet:10.0");
        Assert.True(publish.ExitCode != 0, publish.ToString());
        Assert.Contains("error CB2004", publish.Output, StringComparison.Ordinal);
        Assert.Contains("log in", publish.Output, StringComparison.OrdinalIgnoreCase);
    }

    [IntegrationFact]
    public async Task Credentials_go_to_the_token_service_the_registry_names_and_a_short_timeout_does_not_hurt_a_healthy_registry()
    {
        // The token registry and its token service are both on loopback, over plain HTTP: the realm guard lets
        // credentials go there because the registry itself is on loopback and on HTTP.
        var tokens = TokenServer.Instance;
        var environment = Credentials();
        using var factory = new Containers.Build.Registry.RegistryClientFactory(getEnvironmentVariable: name => environment.GetValueOrDefault(name))
        {
            InactivityTimeout = TimeSpan.FromSeconds(5),
        };
        var client = factory.Create(Containers.Build.References.RegistryHost.Parse(TestEnvironment.TokenRegistry), Containers.Build.Registry.Auth.RegistryAccess.Pull);
        var before = tokens.Requests.Count;

        var manifest = await client.GetManifestAsync("dotnet/aspnet", "10.0", CancellationToken.None);

        Assert.NotNull(manifest);
        Assert.Contains(tokens.Requests.Skip(before), r => r.StartsWith("GET repository:dotnet/aspnet:pull", StringComparison.Ordinal) && r.EndsWith(" basic", StringComparison.Ordinal));
    }
}
