using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Containers.Build.Registry;

/// <summary>
/// Which server certificates to trust: the system store, plus the CAs of a bundle the user names
/// (ContainerRegistryCaCertificates), and nothing at all for registries explicitly listed as insecure. A
/// rejected certificate is remembered per host so the error can say why, instead of a bare TLS failure (what to do
/// about it is the error boundary's to say).
/// </summary>
public sealed class TlsPolicy
{
    private readonly X509Certificate2Collection _extraRoots = [];
    private readonly ConcurrentDictionary<string, TlsRejection> _rejections = new(StringComparer.OrdinalIgnoreCase);

    public TlsPolicy(string? caBundlePath = null, IEnumerable<string>? insecureHosts = null)
    {
        CaBundlePath = string.IsNullOrWhiteSpace(caBundlePath) ? null : caBundlePath;
        if (CaBundlePath is not null)
        {
            if (!File.Exists(CaBundlePath))
            {
                throw new CaCertificatesException(CaBundlePath, "does not exist");
            }
            try
            {
                _extraRoots.ImportFromPemFile(CaBundlePath);
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                throw new CaCertificatesException(CaBundlePath, $"could not be read as PEM certificates: {e.Message}", e);
            }
            if (_extraRoots.Count == 0)
            {
                throw new CaCertificatesException(CaBundlePath, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            }
        }
        InsecureHosts = new HashSet<string>(insecureHosts ?? [], StringComparer.OrdinalIgnoreCase);
    }

    public string? CaBundlePath { get; }

    /// <summary>host or host:port entries whose certificates are not checked (and that may speak plain HTTP).</summary>
    public IReadOnlySet<string> InsecureHosts { get; }

    /// <summary>Whether <paramref name="host"/> is listed, alone or with a port (the TLS layer does not know the port).</summary>
    public bool IsInsecure(string host, int port)
        => InsecureHosts.Contains(host) || InsecureHosts.Contains($"{host}:{port}")
           || (port == 0 && InsecureHosts.Any(entry => entry.StartsWith(host + ":", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Why the certificate of <paramref name="host"/> was last rejected, if it was.</summary>
    public TlsRejection? RejectionFor(string host) => _rejections.GetValueOrDefault(host);

    public bool Validate(string host, int port, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None || IsInsecure(host, port))
        {
            return true;
        }
        if (certificate is not null && errors == SslPolicyErrors.RemoteCertificateChainErrors && _extraRoots.Count > 0)
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(_extraRoots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (custom.Build(new X509Certificate2(certificate)))
            {
                return true;
            }
        }
        _rejections[host] = errors switch
        {
            SslPolicyErrors.RemoteCertificateNameMismatch => new(UnreachableReason.CertificateNameMismatch, $"its certificate is not for the name {host}"),
            SslPolicyErrors.RemoteCertificateNotAvailable => new(UnreachableReason.NoCertificate, "it sent no certificate"),
            _ => new(UnreachableReason.CertificateUntrusted, CaBundlePath is null
                ? "its certificate is not signed by a CA this machine trusts"
                : $"its certificate is not signed by a CA in the system store or in {CaBundlePath}"),
        };
        return false;
    }
}

/// <summary>Why a server certificate was rejected: the kind, and the words for a message.</summary>
public sealed record TlsRejection(UnreachableReason Reason, string Description);
