namespace Containers.Build.Registry.Auth;

/// <summary>
/// Credentials from the environment variables the .NET SDK's container support reads:
/// DOTNET_CONTAINER_{PUSH|PULL}_REGISTRY_UNAME/PWORD for one direction, DOTNET_CONTAINER_REGISTRY_UNAME/PWORD for both.
/// </summary>
public static class EnvironmentCredentialSource
{
    public static RegistryCredential? Find(RegistryAccess access, Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var direction = access == RegistryAccess.Push ? "PUSH" : "PULL";
        return Read($"DOTNET_CONTAINER_{direction}_REGISTRY", getVariable) ?? Read("DOTNET_CONTAINER_REGISTRY", getVariable);
    }

    private static RegistryCredential? Read(string prefix, Func<string, string?> getVariable)
    {
        var user = getVariable(prefix + "_UNAME");
        var password = getVariable(prefix + "_PWORD");
        return string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password) ? null : new RegistryCredential(user, password);
    }
}

public enum RegistryAccess
{
    Pull,
    Push,
}
