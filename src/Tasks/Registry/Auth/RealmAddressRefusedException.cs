using System.Net;

namespace Containers.Build.Registry.Auth;

/// <summary>A token service's name resolved to an internal address when it was connected to (<see cref="TokenServiceConnections"/>).</summary>
internal sealed class RealmAddressRefusedException(string host, IPAddress address)
    : Exception($"'{host}' resolved to the internal address {address} when connecting.")
{
    public IPAddress Address { get; } = address;
}
