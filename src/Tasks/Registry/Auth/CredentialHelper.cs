using System.Text.Json;

namespace Containers.Build.Registry.Auth;

/// <summary>
/// Runs a docker credential helper (<c>docker-credential-&lt;name&gt; get</c>, the server on standard input,
/// JSON on standard output). "Credentials not found" means anonymous; a helper that is missing or fails is
/// an error, never a silent fall back.
/// </summary>
public static class CredentialHelper
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static RegistryCredential? Get(string helperName, string serverUrl)
    {
        var program = "docker-credential-" + helperName;
        ChildProcessResult result;
        try
        {
            result = ChildProcess.RunAsync(program, ["get"], Timeout, CancellationToken.None,
                    writeInput: (input, ct) => input.WriteAsync(System.Text.Encoding.UTF8.GetBytes(serverUrl), ct).AsTask())
                .GetAwaiter().GetResult();
        }
        catch (ChildProcessNotStartedException e)
        {
            throw new CredentialException($"The credential helper '{program}' that your container config names for {serverUrl} is not installed or not on PATH. Install it, or remove it from the config (credHelpers / credsStore).", e);
        }
        catch (ChildProcessTimeoutException e)
        {
            throw new CredentialException($"The credential helper '{program}' did not answer within {Timeout.TotalSeconds:0} s for {serverUrl}.", e);
        }
        var stdout = result.Output.Trim();
        if (result.ExitCode != 0)
        {
            var message = stdout.Length > 0 ? stdout : result.Errors.Trim();
            if (message.Contains("credentials not found", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            // The helper's own words, which never contain the secret (it failed to produce one).
            throw new CredentialException($"The credential helper '{program}' failed for {serverUrl} (exit {result.ExitCode}): {message}");
        }
        try
        {
            using var document = JsonDocument.Parse(stdout);
            var user = document.RootElement.GetProperty("Username").GetString() ?? "";
            var secret = document.RootElement.GetProperty("Secret").GetString() ?? "";
            return user == RegistryCredential.IdentityTokenUserName ? RegistryCredential.IdentityToken(secret) : new RegistryCredential(user, secret);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CredentialException($"The credential helper '{program}' answered with something that is not credentials for {serverUrl}.", e);
        }
    }
}
