namespace Containers.Build.Registry.Auth;

/// <summary>
/// A user name and secret for a registry, or an identity (refresh) token for its OAuth2 token service.
/// <see cref="ToString"/> never shows the secret, and records print through it.
/// </summary>
public sealed record RegistryCredential(string UserName, string Secret, bool IsIdentityToken = false)
{
    /// <summary>Docker's credential helpers use this user name to hand over an identity token.</summary>
    public const string IdentityTokenUserName = "<token>";

    public static RegistryCredential IdentityToken(string token) => new(IdentityTokenUserName, token, true);

    public override string ToString() => IsIdentityToken ? "identity token ***" : $"{UserName}:***";
}
