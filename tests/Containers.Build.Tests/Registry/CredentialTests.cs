using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Registry;

[CollectionDefinition("process environment", DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;

/// <summary>Credentials from where users keep them: docker and podman config files and credential helpers.</summary>
[Collection("process environment")]
public class CredentialTests : IDisposable
{
    private readonly TempDirectory _home = new("cb-home");

    public void Dispose() => _home.Dispose();

    private Func<string, string?> Environment(Dictionary<string, string>? extra = null)
        => name => name == "HOME" ? _home.Path : extra?.GetValueOrDefault(name);

    private void DockerConfig(string json) => _home.WriteFile(".docker/config.json", json);

    private static string Basic(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    [Fact]
    public void Auths_are_found_by_host_or_url_and_decoded()
    {
        DockerConfig("{\"auths\":{\"https://registry.example.com/v1/\":{\"auth\":\"" + Basic("alice", "s3cret:with:colons") + "\"}}}");
        var credential = new ContainerConfigCredentialSource(Environment()).Find(RegistryHost.Parse("registry.example.com"));
        Assert.Equal(new RegistryCredential("alice", "s3cret:with:colons")
        {
            Origin = CredentialOrigin.AuthsEntry("https://registry.example.com/v1/", _home.Combine(".docker/config.json")),
        }, credential);
        Assert.Null(new ContainerConfigCredentialSource(Environment()).Find(RegistryHost.Parse("other.example.com")));
    }

    [Fact]
    public void Docker_hub_is_found_under_its_legacy_key()
    {
        DockerConfig("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + Basic("bob", "pw") + "\"}}}");
        Assert.Equal("bob", new ContainerConfigCredentialSource(Environment()).Find(RegistryHost.Parse("docker.io"))!.UserName);
    }

    [Fact]
    public void Cred_helpers_win_over_the_store_and_auths_and_not_found_means_anonymous()
    {
        DockerConfig("{\"credHelpers\":{\"registry.example.com\":\"special\"},\"credsStore\":\"desktop\",\"auths\":{\"registry.example.com\":{\"auth\":\"" + Basic("stale", "x") + "\"}}}");
        var asked = new List<string>();
        RegistryCredential? Helper(string name, string server)
        {
            asked.Add($"{name}:{server}");
            return name == "special" ? null : new RegistryCredential("store-user", "store-secret");
        }

        var source = new ContainerConfigCredentialSource(Environment(), Helper);
        Assert.Null(source.Find(RegistryHost.Parse("registry.example.com")));
        Assert.Equal(["special:registry.example.com"], asked);

        Assert.Equal("store-user", source.Find(RegistryHost.Parse("other.example.com"))!.UserName);
    }

    [Fact]
    public void Podmans_auth_file_is_read_when_docker_has_nothing()
    {
        var authFile = _home.WriteFile("run/containers/auth.json", "{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + Basic("podman-user", "pw") + "\"}}}");
        var source = new ContainerConfigCredentialSource(Environment(new() { ["REGISTRY_AUTH_FILE"] = authFile }));
        Assert.Equal("podman-user", source.Find(RegistryHost.Parse("127.0.0.1:5000"))!.UserName);

        var byRuntimeDirectory = new ContainerConfigCredentialSource(Environment(new() { ["XDG_RUNTIME_DIR"] = _home.Combine("run") }));
        Assert.Equal("podman-user", byRuntimeDirectory.Find(RegistryHost.Parse("127.0.0.1:5000"))!.UserName);
    }

    [Fact]
    public void A_broken_config_is_an_error_that_names_the_file_and_never_the_secret()
    {
        DockerConfig("""{"auths":{"registry.example.com":{"auth":"not base64!"}}}""");
        var error = Assert.Throws<CredentialException>(() => new ContainerConfigCredentialSource(Environment()).Find(RegistryHost.Parse("registry.example.com")));
        Assert.Contains("config.json", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not base64!", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", new RegistryCredential("alice", "s3cret").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Real_credential_helpers_run_with_the_server_on_stdin()
    {
        var bin = _home.Combine("bin");
        Directory.CreateDirectory(bin);
        var script = Path.Combine(bin, "docker-credential-cbtest");
        File.WriteAllText(script, """
            #!/bin/sh
            read server
            case "$server" in
              registry.example.com) echo '{"ServerURL":"registry.example.com","Username":"helper-user","Secret":"helper-secret"}' ;;
              token.example.com) echo '{"ServerURL":"token.example.com","Username":"<token>","Secret":"refresh-me"}' ;;
              broken.example.com) echo "keychain locked" >&2; exit 3 ;;
              *) echo "credentials not found in native keychain"; exit 1 ;;
            esac
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = System.Environment.GetEnvironmentVariable("PATH");
        System.Environment.SetEnvironmentVariable("PATH", bin + ":" + path);
        try
        {
            Assert.Equal(new RegistryCredential("helper-user", "helper-secret"), CredentialHelper.Get("cbtest", "registry.example.com"));
            Assert.Equal(RegistryCredential.IdentityToken("refresh-me"), CredentialHelper.Get("cbtest", "token.example.com"));
            Assert.Null(CredentialHelper.Get("cbtest", "unknown.example.com"));
            var failing = Assert.Throws<CredentialException>(() => CredentialHelper.Get("cbtest", "broken.example.com"));
            Assert.Contains("keychain locked", failing.Message, StringComparison.Ordinal);
            var missing = Assert.Throws<CredentialException>(() => CredentialHelper.Get("cb-not-installed", "registry.example.com"));
            Assert.Contains("docker-credential-cb-not-installed", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            System.Environment.SetEnvironmentVariable("PATH", path);
        }
    }

    [Fact]
    public async Task An_identity_token_is_exchanged_by_oauth2_post_and_falls_back_to_get_on_404()
    {
        DockerConfig("""{"auths":{"registry.test":{"identitytoken":"refresh-123"}}}""");
        foreach (var postSupported in new[] { true, false })
        {
            var handler = new FakeHttpHandler(request =>
            {
                if (request.RequestUri!.Host == "auth.test")
                {
                    if (request.Method == HttpMethod.Post)
                    {
                        return postSupported ? FakeHttpHandler.Status(HttpStatusCode.OK, """{"access_token":"from-post"}""") : FakeHttpHandler.Status(HttpStatusCode.NotFound);
                    }
                    return FakeHttpHandler.Status(HttpStatusCode.OK, """{"token":"from-get"}""");
                }
                if (request.Headers.Authorization?.Scheme == "Bearer")
                {
                    return FakeHttpHandler.Status(HttpStatusCode.OK);
                }
                var challenge = FakeHttpHandler.Status(HttpStatusCode.Unauthorized);
                challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", "realm=\"https://auth.test/token\",service=\"registry.test\""));
                return challenge;
            });
            var client = new RegistryClientFactory(handler, Environment()).Create(RegistryHost.Parse("registry.test"), RegistryAccess.Push);
            Assert.True(await client.BlobExistsAsync("app", Digest.Compute("x"u8), CancellationToken.None));

            var post = Assert.Single(handler.Requests, r => r.Method == HttpMethod.Post);
            var form = Encoding.UTF8.GetString(post.Body!);
            Assert.Contains("grant_type=refresh_token", form, StringComparison.Ordinal);
            Assert.Contains("refresh_token=refresh-123", form, StringComparison.Ordinal);
            Assert.Contains("scope=repository%3Aapp%3Apull%2Cpush", form, StringComparison.Ordinal);
            Assert.Equal(postSupported ? "Bearer from-post" : "Bearer from-get", handler.Requests[^1].Authorization);
            Assert.Equal(postSupported ? 0 : 1, handler.Requests.Count(r => r.Uri.Host == "auth.test" && r.Method == HttpMethod.Get));
        }
    }
}
