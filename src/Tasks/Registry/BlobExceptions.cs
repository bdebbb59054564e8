using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Registry;

/// <summary>
/// A blob the registry sent is not what its descriptor says: another digest, fewer bytes, or more (the read
/// stops at the first byte past the descriptor's size).
/// </summary>
public sealed class BlobDigestMismatchException(RegistryHost registry, string repository, Descriptor expected, string actual)
    : RegistryException($"Blob {expected.Digest} of {repository} from registry {registry} does not match its descriptor ({actual}; expected {expected.Size} bytes).")
{
    public RegistryHost Registry { get; } = registry;
    public string Repository { get; } = repository;
    public Descriptor Expected { get; } = expected;
}

/// <summary>
/// A downloaded blob could not be written on this machine (a full disk, permissions): a local failure, never
/// retried as a network one.
/// </summary>
public sealed class BlobWriteException(string? path, Digest digest, Exception inner)
    : Exception($"Could not write blob {digest} to {path ?? "the content store"}: {inner.Message}", inner)
{
    public string? Path { get; } = path;
    public Digest Digest { get; } = digest;
}
