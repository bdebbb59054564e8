using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// A layer's local copy (the cache's, or a downloaded base layer's) no longer holds the bytes its digest names:
/// a disk error or a tampered cache. The copy has been dropped, so the next build (or a retry) makes it again.
/// </summary>
public sealed class CorruptLayerException(Digest digest, string reason)
    : Exception($"The stored copy of layer {digest} does not match its digest ({reason}); it was dropped.")
{
    public Digest Digest { get; } = digest;
}
