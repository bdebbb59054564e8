namespace Containers.Build.Registry.Auth;

/// <summary>
/// A user name and secret for a registry, or an identity (refresh) token for its OAuth2 token service, with where
/// it came from (<see cref="Origin"/>). <see cref="ToString"/> never shows the secret, and records print through it.
/// </summary>
public sealed record RegistryCredential(string UserName, string Secret, bool IsIdentityToken = false)
{
    /// <summary>Docker's credential helpers use this user name to hand over an identity token.</summary>
    public const string IdentityTokenUserName = "<token>";

    public static RegistryCredential IdentityToken(string token) => new(IdentityTokenUserName, token, true);

    /// <summary>Where it was found (the variables, a config file, a helper); null when not known.</summary>
    public CredentialOrigin? Origin { get; init; }

    /// <summary>
    /// With an identity token: the user name and password the same config entry holds (its <c>auth</c>), for the
    /// token GET when the token service does not serve the OAuth2 POST, and for a Basic challenge. Null when there is none.
    /// </summary>
    public RegistryCredential? UserPassword { get; init; }

    /// <summary>What a Basic header (or a token GET) can carry: this user and password, or the one stored with the identity token.</summary>
    public RegistryCredential? ForBasic => IsIdentityToken ? UserPassword : this;

    /// <summary>How messages name it: "user 'alice'", or "an identity token".</summary>
    public string Describe() => IsIdentityToken ? "an identity token" : $"user '{UserName}'";

    public override string ToString() => IsIdentityToken ? "identity token ***" : $"{UserName}:***";
}
