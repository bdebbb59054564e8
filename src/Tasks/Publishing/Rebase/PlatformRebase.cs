using Containers.Build.Model;

namespace Containers.Build.Publishing.Rebase;

/// <summary>What the rebase did to one platform's image: its manifest before and after, and its base's digest before and after.</summary>
/// <param name="BaseName">The base's name, as the image records it.</param>
public sealed record PlatformRebase(Platform Platform, Digest OldDigest, Digest NewDigest, string BaseName, Digest OldBaseDigest, Digest NewBaseDigest)
{
    /// <summary>False when the base's name still resolves to the digest the image records: the image was kept as it is.</summary>
    public bool BaseMoved => OldBaseDigest != NewBaseDigest;
}
