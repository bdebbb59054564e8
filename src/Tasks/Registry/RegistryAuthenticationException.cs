using System.Net;
using Containers.Build.References;
using Containers.Build.Registry.Auth;

namespace Containers.Build.Registry;

/// <summary>What went wrong when a registry asked for authentication.</summary>
public enum AuthenticationFailure
{
    /// <summary>The registry (or its token service) refused the credentials that were sent.</summary>
    Refused,

    /// <summary>The credentials were accepted but do not allow the request (403).</summary>
    Denied,

    /// <summary>The registry needs credentials and none were found.</summary>
    NoCredentials,

    /// <summary>The registry asks for a user name and password (Basic) and the credentials are an identity token only.</summary>
    NeedsPassword,

    /// <summary>The registry offers no scheme the client supports (Bearer, Basic), or did not say how.</summary>
    Unsupported,
}

/// <summary>
/// A registry asked for authentication and it did not work. The message says what happened, with which credentials
/// (the user name, never a secret) and where they came from, or where none were found; no advice.
/// </summary>
public sealed class RegistryAuthenticationException(
    RegistryHost registry, AuthenticationFailure failure, string message, HttpStatusCode statusCode,
    RegistryCredential? credential, IReadOnlyList<string> placesLooked, IReadOnlyList<RegistryError>? errors = null)
    : RegistryException(message, statusCode, errors)
{
    public RegistryHost Registry { get; } = registry;

    public AuthenticationFailure Failure { get; } = failure;

    /// <summary>Where the credentials that were tried came from; null when there were none.</summary>
    public CredentialOrigin? Origin { get; } = credential?.Origin;

    /// <summary>Whether the credentials tried were an identity token.</summary>
    public bool WasIdentityToken { get; } = credential?.IsIdentityToken ?? false;

    /// <summary>With no credentials: the variables and files that were looked at.</summary>
    public IReadOnlyList<string> PlacesLooked { get; } = placesLooked;
}
