using System.Net;
using System.Net.Sockets;

namespace Containers.Build.Registry.Auth;

/// <summary>
/// Decides whether a registry's token service (the realm of the registry's own challenge) may be asked for a
/// token, with the credentials when there are some. A realm is refused when it is not http(s); when it is plain
/// http for a registry reached over https; and when it is (or resolves to) an internal address — loopback,
/// private (10/8, 172.16/12, 192.168/16), link-local (169.254/16, fe80::/10), unspecified (0.0.0.0, ::) or
/// unique-local (fc00::/7) — unless the registry itself is on such an address (a registry in the same private
/// network may keep its token service there). This keeps a registry from pointing the build machine at its
/// own network or a cloud metadata service (169.254.169.254) with the user's credentials.
/// </summary>
public static class TokenRealmGuard
{
    /// <summary>Why credentials must not go to <paramref name="realm"/>; null when they may.</summary>
    /// <param name="registryBase">The registry as it is reached (its scheme and host).</param>
    /// <param name="realmAddresses">What the realm's host is or resolves to (empty: unknown).</param>
    /// <param name="registryAddresses">What the registry's host is or resolves to.</param>
    public static string? Check(Uri realm, Uri registryBase, IReadOnlyCollection<IPAddress> realmAddresses, IReadOnlyCollection<IPAddress> registryAddresses)
    {
        if (realm.Scheme != Uri.UriSchemeHttps && realm.Scheme != Uri.UriSchemeHttp)
        {
            return $"uses the scheme '{realm.Scheme}', not http or https";
        }
        if (realm.Scheme == Uri.UriSchemeHttp && registryBase.Scheme == Uri.UriSchemeHttps)
        {
            return "is on plain http while the registry is reached over https (the password would cross the network in clear text)";
        }
        var registryIsInternal = registryAddresses.Any(IsInternal)
                                 || (IPAddress.TryParse(registryBase.IdnHost.Trim('[', ']'), out var registryLiteral) && IsInternal(registryLiteral));
        if (registryIsInternal)
        {
            return null;
        }
        var internalAddress = realmAddresses.FirstOrDefault(IsInternal);
        return internalAddress is null
            ? null
            : $"is on the internal address {Canonical(internalAddress)} (loopback, private, link-local, unspecified or unique-local) while the registry is not";
    }

    /// <summary>
    /// The addresses of <paramref name="host"/> as the guard judges them: itself when it is one, loopback for localhost
    /// and its subdomains (which resolvers answer so without asking), else what <paramref name="resolveHost"/> answers.
    /// </summary>
    public static async Task<IPAddress[]> AddressesOfAsync(string host, Func<string, CancellationToken, Task<IPAddress[]>> resolveHost, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return [literal];
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return [IPAddress.Loopback, IPAddress.IPv6Loopback];
        }
        return await resolveHost(host, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loopback, private, link-local, unspecified or unique-local (IPv4-mapped IPv6 addresses as their IPv4).</summary>
    public static bool IsInternal(IPAddress address)
    {
        address = Canonical(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 127                                  // loopback
                   || b[0] == 10                                // private
                   || (b[0] == 172 && (b[1] & 0xF0) == 16)      // private 172.16/12
                   || (b[0] == 192 && b[1] == 168)              // private
                   || (b[0] == 169 && b[1] == 254)              // link-local (cloud metadata)
                   || b[0] == 0;                                // unspecified, "this network"
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.Equals(IPAddress.IPv6Loopback)
                   || address.Equals(IPAddress.IPv6Any)
                   || address.IsIPv6LinkLocal
                   || address.IsIPv6SiteLocal
                   || address.IsIPv6UniqueLocal;
        }
        return true;
    }

    private static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
