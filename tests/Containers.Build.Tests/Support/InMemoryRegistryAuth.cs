using System.Net;

namespace Containers.Build.Tests.Support;

/// <summary>How the <see cref="InMemoryRegistry"/> wants clients to authenticate.</summary>
public abstract record InMemoryRegistryAuth
{
    /// <summary>Anyone may pull and push.</summary>
    public sealed record None : InMemoryRegistryAuth;

    /// <summary>Every /v2/ request needs <c>Authorization: Basic</c> with this user and password.</summary>
    public sealed record Basic(string User, string Password) : InMemoryRegistryAuth;

    /// <summary>
    /// Every /v2/ request needs a token covering its scope; the registry's own /token (GET, Basic with this
    /// user and password) issues them, like the distribution token flow.
    /// </summary>
    public sealed record Bearer(string User, string Password) : InMemoryRegistryAuth;
}

/// <summary>
/// One request the <see cref="InMemoryRegistry"/> saw. <see cref="Status"/> is null when it never got an HTTP
/// answer (an https request to a registry that speaks plain HTTP fails in the TLS handshake).
/// </summary>
public sealed record RegistryRequest(
    string Method, string Scheme, string PathAndQuery, string? AuthorizationScheme, string? ContentRange, long BodyBytes, HttpStatusCode? Status)
{
    public bool HadAuthorization => AuthorizationScheme is not null;

    public string Path => PathAndQuery.Split('?', 2)[0];

    public override string ToString() => $"{Method} {Scheme}:{PathAndQuery} -> {(Status is { } s ? ((int)s).ToString() : "no answer")}";
}
