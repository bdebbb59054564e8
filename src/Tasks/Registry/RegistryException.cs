using System.Net;

namespace Containers.Build.Registry;

/// <summary>A registry answered a request with an error status.</summary>
public class RegistryException : Exception
{
    public RegistryException(string message, HttpStatusCode? statusCode = null, IReadOnlyList<RegistryError>? errors = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        Errors = errors ?? [];
    }

    public HttpStatusCode? StatusCode { get; }

    /// <summary>The errors array from the response body (distribution-spec "Error Codes"), when it had one.</summary>
    public IReadOnlyList<RegistryError> Errors { get; }

    public bool IsAuthenticationFailure => StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
}

/// <summary>The registry could not be reached at all: DNS, connection refused, TLS handshake, timeout.</summary>
public class RegistryUnreachableException(string message, Exception? inner = null) : RegistryException(message, null, null, inner)
{
    /// <summary>A reset or timeout that a retry may get past (unlike a refused connection or an unknown host).</summary>
    public bool IsTransient { get; init; }

    /// <summary>Why, as far as it is known.</summary>
    public UnreachableReason Reason { get; init; }

    /// <summary>The connection was made, and TLS failed: an untrusted or wrong certificate, or no handshake at all.</summary>
    public bool IsTlsFailure => Reason is UnreachableReason.CertificateUntrusted or UnreachableReason.CertificateNameMismatch
        or UnreachableReason.NoCertificate or UnreachableReason.TlsHandshakeFailed;
}

/// <summary>Why a registry could not be reached.</summary>
public enum UnreachableReason
{
    Other,
    ConnectionRefused,
    HostNotFound,
    TimedOut,
    ConnectionBroken,

    /// <summary>Its certificate is not signed by a trusted CA (the system store, or the CA bundle given).</summary>
    CertificateUntrusted,

    /// <summary>Its certificate is for another name.</summary>
    CertificateNameMismatch,

    /// <summary>It sent no certificate.</summary>
    NoCertificate,

    /// <summary>The TLS handshake failed before any certificate was judged (no TLS on that port, no common protocol).</summary>
    TlsHandshakeFailed,
}

/// <summary>
/// The registry accepted the connection and then stopped: no TLS handshake, no answer, or a body trickling too
/// slowly, for longer than the inactivity timeout (ContainerRegistryTimeout). Transient: retried like a reset.
/// </summary>
public sealed class RegistryStalledException : RegistryUnreachableException
{
    public RegistryStalledException(string message, TimeSpan timeout, Exception? inner = null) : base(message, inner)
    {
        Timeout = timeout;
        IsTransient = true;
    }

    /// <summary>The inactivity timeout that ran out.</summary>
    public TimeSpan Timeout { get; }
}
