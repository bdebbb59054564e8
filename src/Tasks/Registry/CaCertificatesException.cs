namespace Containers.Build.Registry;

/// <summary>The bundle of extra CA certificates to trust cannot be used.</summary>
public sealed class CaCertificatesException(string path, string reason, Exception? inner = null)
    : Exception($"The CA bundle '{path}' {reason}.", inner)
{
    public string Path { get; } = path;
    public string Reason { get; } = reason;
}
