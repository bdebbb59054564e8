using System.Text;
using System.Text.Json;
using Containers.Build.References;

namespace Containers.Build.Registry.Auth;

/// <summary>
/// Credentials where users keep them: Docker's config (DOCKER_CONFIG/config.json or ~/.docker/config.json),
/// then Podman's (REGISTRY_AUTH_FILE or $XDG_RUNTIME_DIR/containers/auth.json). In a file: credHelpers for
/// the host, then credsStore, then auths (base64 user:pass, or an identitytoken). Docker Hub is also found
/// under its legacy key https://index.docker.io/v1/.
/// </summary>
public sealed class ContainerConfigCredentialSource(Func<string, string?> getVariable, Func<string, string, RegistryCredential?>? runHelper = null)
{
    private const string DockerHubLegacyKey = "https://index.docker.io/v1/";
    private readonly Func<string, string, RegistryCredential?> _runHelper = runHelper ?? CredentialHelper.Get;

    public IEnumerable<string> ConfigFiles()
    {
        var dockerConfig = getVariable("DOCKER_CONFIG");
        var home = getVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        yield return !string.IsNullOrEmpty(dockerConfig) ? Path.Combine(dockerConfig, "config.json") : Path.Combine(home, ".docker", "config.json");
        var authFile = getVariable("REGISTRY_AUTH_FILE");
        if (!string.IsNullOrEmpty(authFile))
        {
            yield return authFile;
        }
        else if (getVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtimeDirectory)
        {
            yield return Path.Combine(runtimeDirectory, "containers", "auth.json");
        }
    }

    public RegistryCredential? Find(RegistryHost registry)
    {
        foreach (var file in ConfigFiles())
        {
            if (!File.Exists(file))
            {
                continue;
            }
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(File.ReadAllBytes(file));
            }
            catch (JsonException e)
            {
                throw new CredentialException($"The container config {file} is not valid JSON ({e.Message}); fix or remove it.", e);
            }
            using (document)
            {
                if (FindIn(document.RootElement, registry, file, out var credential))
                {
                    return credential;
                }
            }
        }
        return null;
    }

    /// <returns>True when this file decides (credentials, or a helper that says there are none).</returns>
    private bool FindIn(JsonElement root, RegistryHost registry, string file, out RegistryCredential? credential)
    {
        credential = null;
        var keys = KeysFor(registry).ToArray();
        if (root.TryGetProperty("credHelpers", out var helpers) && helpers.ValueKind == JsonValueKind.Object)
        {
            foreach (var key in keys)
            {
                if (helpers.TryGetProperty(key, out var helper) && helper.GetString() is { Length: > 0 } name)
                {
                    credential = _runHelper(name, key) is { } found ? found with { Origin = CredentialOrigin.Helper(HelperProgram(name), file) } : null;
                    return true;
                }
            }
        }
        if (root.TryGetProperty("credsStore", out var store) && store.GetString() is { Length: > 0 } storeName)
        {
            credential = _runHelper(storeName, registry.IsDockerHub ? DockerHubLegacyKey : registry.Value);
            if (credential is not null)
            {
                credential = credential with { Origin = CredentialOrigin.Helper(HelperProgram(storeName), file) };
                return true;
            }
        }
        if (root.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in auths.EnumerateObject())
            {
                if (!keys.Contains(NormalizeKey(entry.Name), StringComparer.OrdinalIgnoreCase) || entry.Value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }
                var origin = CredentialOrigin.AuthsEntry(entry.Name, file);
                var encoded = entry.Value.TryGetProperty("auth", out var auth) ? auth.GetString() : null;
                if (entry.Value.TryGetProperty("identitytoken", out var identity) && identity.GetString() is { Length: > 0 } token)
                {
                    // docker login keeps "user:" (no password) next to an identity token; a password there is kept for
                    // the token GET when the token service does not serve the OAuth2 POST. The token decides: a
                    // broken 'auth' next to it is not an error.
                    var stored = TryDecode(encoded);
                    credential = RegistryCredential.IdentityToken(token) with
                    {
                        Origin = origin,
                        UserPassword = stored is { Secret.Length: > 0 } ? stored with { Origin = origin } : null,
                    };
                    return true;
                }
                var userPassword = string.IsNullOrEmpty(encoded) ? null : Decode(encoded, entry.Name, file) with { Origin = origin };
                if (userPassword is not null)
                {
                    credential = userPassword;
                    return true;
                }
            }
        }
        return false;
    }

    private static string HelperProgram(string name) => "docker-credential-" + name;

    /// <summary>The config files looked at, each with whether it exists, for a message that says no credentials were found.</summary>
    public IEnumerable<string> PlacesLooked() => ConfigFiles().Select(file => File.Exists(file) ? file : $"{file} (not there)");

    private static IEnumerable<string> KeysFor(RegistryHost registry)
    {
        yield return registry.Value;
        if (registry.IsDockerHub)
        {
            yield return "docker.io";
            yield return "index.docker.io";
            yield return DockerHubLegacyKey;
        }
    }

    /// <summary>auths keys may be written as URLs (https://host/v1/): compare by host[:port].</summary>
    private static string NormalizeKey(string key)
    {
        if (key == DockerHubLegacyKey)
        {
            return key;
        }
        var withoutScheme = key.Contains("://", StringComparison.Ordinal) ? key[(key.IndexOf("://", StringComparison.Ordinal) + 3)..] : key;
        var slash = withoutScheme.IndexOf('/');
        return slash < 0 ? withoutScheme : withoutScheme[..slash];
    }

    private static RegistryCredential? TryDecode(string? encoded)
    {
        try
        {
            return string.IsNullOrEmpty(encoded) ? null : Decode(encoded, "", "");
        }
        catch (CredentialException)
        {
            return null;
        }
    }

    private static RegistryCredential Decode(string encoded, string key, string file)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException e)
        {
            throw new CredentialException($"The 'auth' for {key} in {file} is not base64; log in again (docker login / podman login).", e);
        }
        var colon = decoded.IndexOf(':');
        if (colon <= 0)
        {
            throw new CredentialException($"The 'auth' for {key} in {file} is not user:password; log in again (docker login / podman login).");
        }
        return new RegistryCredential(decoded[..colon], decoded[(colon + 1)..]);
    }
}
