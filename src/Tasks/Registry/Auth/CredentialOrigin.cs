namespace Containers.Build.Registry.Auth;

/// <summary>Where a credential was found.</summary>
public enum CredentialOriginKind
{
    /// <summary>The SDK's environment variables (DOTNET_CONTAINER_*_UNAME / _PWORD).</summary>
    EnvironmentVariables,

    /// <summary>An <c>auths</c> entry of a docker or podman config file.</summary>
    ConfigFile,

    /// <summary>A credential helper a config file names (<c>credHelpers</c> or <c>credsStore</c>).</summary>
    CredentialHelper,
}

/// <summary>
/// Where a credential came from, for messages: the variables' names, the config file and its entry, or the helper
/// and the file that names it. Never the credential itself.
/// </summary>
/// <param name="Name">The variables (<c>X_UNAME and X_PWORD</c>), the <c>auths</c> key, or the helper's program.</param>
/// <param name="ConfigFile">The config file, for an <c>auths</c> entry or a helper.</param>
public sealed record CredentialOrigin(CredentialOriginKind Kind, string Name, string? ConfigFile = null)
{
    public static CredentialOrigin Variables(string prefix) => new(CredentialOriginKind.EnvironmentVariables, $"{prefix}_UNAME and {prefix}_PWORD");

    public static CredentialOrigin AuthsEntry(string key, string file) => new(CredentialOriginKind.ConfigFile, key, file);

    public static CredentialOrigin Helper(string program, string file) => new(CredentialOriginKind.CredentialHelper, program, file);

    public override string ToString() => Kind switch
    {
        CredentialOriginKind.EnvironmentVariables => $"the environment variables {Name}",
        CredentialOriginKind.ConfigFile => $"the 'auths' entry '{Name}' of {ConfigFile}",
        _ => $"the credential helper {Name} (named in {ConfigFile})",
    };
}
