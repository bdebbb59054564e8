namespace Containers.Build.Registry.Auth;

/// <summary>
/// Credentials from the environment variables the .NET SDK's container support reads:
/// DOTNET_CONTAINER_{PUSH|PULL}_REGISTRY_UNAME/PWORD for one direction, DOTNET_CONTAINER_REGISTRY_UNAME/PWORD for both,
/// and the SDK's older SDK_CONTAINER_REGISTRY_UNAME/PWORD for both, last.
/// </summary>
public static class EnvironmentCredentialSource
{
    public static RegistryCredential? Find(RegistryAccess access, Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        return Prefixes(access).Select(prefix => Read(prefix, getVariable)).FirstOrDefault(credential => credential is not null);
    }

    /// <summary>The variables looked at, in order, as "X_UNAME and X_PWORD".</summary>
    public static IEnumerable<string> Variables(RegistryAccess access) => Prefixes(access).Select(prefix => CredentialOrigin.Variables(prefix).Name);

    private static IEnumerable<string> Prefixes(RegistryAccess access)
    {
        yield return $"DOTNET_CONTAINER_{(access == RegistryAccess.Push ? "PUSH" : "PULL")}_REGISTRY";
        yield return "DOTNET_CONTAINER_REGISTRY";
        yield return "SDK_CONTAINER_REGISTRY";
    }

    private static RegistryCredential? Read(string prefix, Func<string, string?> getVariable)
    {
        var user = getVariable(prefix + "_UNAME");
        var password = getVariable(prefix + "_PWORD");
        return string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password)
            ? null
            : new RegistryCredential(user, password) { Origin = CredentialOrigin.Variables(prefix) };
    }
}

public enum RegistryAccess
{
    Pull,
    Push,
}
