using System.Net;
using Containers.Build.References;

namespace Containers.Build.Registry;

/// <summary>
/// Credentials were not sent because where they would have gone is not the registry's own token service, or not a
/// safe one. The message names the registry and the place, never a credential.
/// </summary>
public abstract class CredentialsWithheldException(RegistryHost registry, string message)
    : RegistryException(message, HttpStatusCode.Unauthorized)
{
    public RegistryHost Registry { get; } = registry;
}

/// <summary>The registry's own challenge names a token service (realm) that credentials must not go to.</summary>
public sealed class TokenRealmRefusedException(RegistryHost registry, string realm, string reason)
    : CredentialsWithheldException(registry, $"Registry {registry} names the token service '{realm}', which {reason}; no credentials were sent there.")
{
    public string Realm { get; } = realm;
    public string Reason { get; } = reason;
}

/// <summary>
/// A host that is not the registry (reached by a followed redirect, or an upload Location elsewhere) asked for
/// authentication: the registry's credentials never go to another host.
/// </summary>
public sealed class ForeignHostChallengeException(RegistryHost registry, string foreignHost, string request)
    : CredentialsWithheldException(registry, $"Registry {registry} sent {request} to another host, {foreignHost}, which asks for authentication; the credentials of {registry} are never sent to another host.")
{
    public string ForeignHost { get; } = foreignHost;
}
