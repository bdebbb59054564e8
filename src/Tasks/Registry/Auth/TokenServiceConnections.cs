using System.Net;
using System.Net.Sockets;

namespace Containers.Build.Registry.Auth;

/// <summary>
/// The connections a token request goes over when the realm passed <see cref="TokenRealmGuard"/> only because its name
/// answered with no internal address. The name is resolved again when connecting, and nothing is connected to if it
/// now has an internal one: a name server may answer the guard's lookup with a public address and the connection's,
/// a moment later, with 169.254.169.254 (DNS rebinding). These connections have a pool of their own, so a token request
/// never reuses a connection some other request made to the same name without this check (a redirected blob, say).
/// </summary>
internal static class TokenServiceConnections
{
    /// <summary>A pool as the registries' (<see cref="RegistryClientFactory.NewConnections"/>) whose every connection is checked so.</summary>
    public static SocketsHttpHandler CreateHandler(Func<string, CancellationToken, Task<IPAddress[]>> resolveHost, TlsPolicy tls)
    {
        var handler = RegistryClientFactory.NewConnections(tls);
        handler.ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, resolveHost, cancellationToken);
        return handler;
    }

    /// <summary>
    /// A connection to <paramref name="endPoint"/>'s name as it resolves now, when none of its addresses is internal
    /// (<see cref="TokenRealmGuard.IsInternal"/>); otherwise <see cref="RealmAddressRefusedException"/>, before any byte is sent.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, Func<string, CancellationToken, Task<IPAddress[]>> resolveHost, CancellationToken cancellationToken)
    {
        var addresses = await TokenRealmGuard.AddressesOfAsync(endPoint.Host, resolveHost, cancellationToken).ConfigureAwait(false);
        if (addresses.FirstOrDefault(TokenRealmGuard.IsInternal) is { } internalAddress)
        {
            throw new RealmAddressRefusedException(endPoint.Host, internalAddress);
        }
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
