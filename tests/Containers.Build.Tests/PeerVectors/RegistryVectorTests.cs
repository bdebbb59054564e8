using System.Net;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;
using static Containers.Build.Tests.PeerVectors.PeerVectorData;

namespace Containers.Build.Tests.PeerVectors;

/// <summary>
/// go-containerregistry's transport tests: which registries may be spoken to over plain http
/// (TestRegistryScheme), which token services a registry may send credentials to (TestValidateRealmURL*), and
/// how a WWW-Authenticate challenge's parameters are read.
/// </summary>
public class RegistryVectorTests
{
    public static TheoryData<string> Schemes => Ids(GoContainerRegistry, "scheme");
    public static TheoryData<string> Realms => Ids(GoContainerRegistry, "realm");
    public static TheoryData<string> ChallengeParameters => Ids(GoContainerRegistry, "challenge");

    /// <summary>'http' when we may use plain http with no insecure registries configured, else 'https'; 'err' when it is no registry.</summary>
    [Theory]
    [MemberData(nameof(Schemes))]
    public void Gcr_registry_scheme_is_ours(string id)
    {
        var vector = Get(GoContainerRegistry, id);
        using var factory = new RegistryClientFactory(getEnvironmentVariable: _ => null);
        Check(vector, RegistryHost.TryParse(vector.Input, out var registry, out _)
            ? (factory.MayUsePlainHttp(registry) ? "http" : "https")
            : "err");
    }

    /// <summary>
    /// 'use' when the token realm guard lets credentials go to the realm, 'refuse' when not. The input is
    /// 'registry=host insecure=bool realm=url'; an IP literal resolves to itself, a name to nothing known.
    /// </summary>
    [Theory]
    [MemberData(nameof(Realms))]
    public void Gcr_token_realm_is_guarded_as_we_do(string id)
    {
        var vector = Get(GoContainerRegistry, id);
        var fields = vector.Input.Split(' ').Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
        var registryBase = new Uri($"{(bool.Parse(fields["insecure"]) ? "http" : "https")}://{fields["registry"]}/");
        var realm = new Uri(fields["realm"]);
        Check(vector, TokenRealmGuard.Check(realm, registryBase, Addresses(realm), Addresses(registryBase)) is null ? "use" : "refuse");

        static IPAddress[] Addresses(Uri uri) => IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var ip) ? [ip] : [];
    }

    /// <summary>
    /// The scheme and parameters we read from the WWW-Authenticate header(s) ('a || b' are separate header lines):
    /// 'scheme name=value|name=value', the scheme lowercased, as the vectors write it.
    /// </summary>
    [Theory]
    [MemberData(nameof(ChallengeParameters))]
    public void Gcr_challenge_is_read_as_we_do(string id)
    {
        var vector = Get(GoContainerRegistry, id);
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        // The file writes each backslash of the Go test's header doubled (TSV escaping); the header has one.
        foreach (var header in vector.Input.Replace(@"\\", @"\", StringComparison.Ordinal).Split(" || "))
        {
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", header);
        }
        // The transport's own reading of the headers and its choice among the challenges.
        var challenge = RegistryTransport.ChooseChallenge(RegistryTransport.ReadChallenges(response));
        var ours = challenge is null
            ? "none"
            : challenge.Scheme.ToLowerInvariant() + (challenge.Parameters.Count > 0 ? " " : "") + string.Join("|", challenge.Parameters.Select(p => $"{p.Key}={p.Value}"));
        Check(vector, ours);
    }
}
