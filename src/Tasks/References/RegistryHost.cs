using System.Net;
using System.Text.RegularExpressions;

namespace Containers.Build.References;

/// <summary>A registry's host and optional port, as written in image references (<c>host[:port]</c>).</summary>
public sealed partial record RegistryHost
{
    /// <summary>Docker Hub's canonical API host; <c>docker.io</c> and <c>index.docker.io</c> mean it.</summary>
    public const string DockerHub = "registry-1.docker.io";

    private RegistryHost(string value, string host, int? port)
    {
        Value = value;
        Host = host;
        Port = port;
    }

    /// <summary>host[:port] as the user would write it.</summary>
    public string Value { get; }
    public string Host { get; }
    public int? Port { get; }

    /// <summary>
    /// Loopback registries may be plain HTTP: nothing crosses a network, and a local test registry rarely
    /// has a certificate.
    /// </summary>
    public bool IsLoopback
    {
        get
        {
            if (string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
            var address = Host.Trim('[', ']');
            return IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip);
        }
    }

    public bool IsDockerHub => Value == DockerHub;

    public static RegistryHost Parse(string value)
    {
        if (!TryParse(value, out var host, out var reason))
        {
            throw new InvalidReferenceException($"'{value}' is not a registry host: {reason}.");
        }
        return host;
    }

    public static bool TryParse(string value, out RegistryHost registry, out string reason)
    {
        registry = null!;
        var match = HostPattern().Match(value);
        if (!match.Success)
        {
            reason = "expected a host name or IP address with an optional :port, such as registry.example.com or 127.0.0.1:5000, without a scheme or path";
            return false;
        }
        int? port = null;
        if (match.Groups["port"].Success)
        {
            if (!int.TryParse(match.Groups["port"].Value, out var p) || p is < 1 or > 65535)
            {
                reason = $"the port '{match.Groups["port"].Value}' is not between 1 and 65535";
                return false;
            }
            port = p;
        }
        var host = match.Groups["host"].Value.ToLowerInvariant();
        var normalized = port is null ? host : $"{host}:{port}";
        if (normalized is "docker.io" or "index.docker.io")
        {
            normalized = host = DockerHub;
        }
        registry = new RegistryHost(normalized, host, port);
        reason = "";
        return true;
    }

    public override string ToString() => Value;

    // A DNS name or IPv4 address, or a bracketed IPv6 address, then an optional port.
    [GeneratedRegex(@"^(?<host>(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::(?<port>[0-9]+))?\z")]
    private static partial Regex HostPattern();
}
