using Containers.Build.Model;

namespace Containers.Build.SupplyChain;

/// <summary>
/// The base image as the supply-chain documents name it: <paramref name="Name"/> as <c>BaseImage.Name</c> gives it
/// (the canonical reference for a registry's, the name as written for a file source), the digest it resolved to,
/// and whether it is <c>scratch</c>, which is no base at all and so appears in no document.
/// </summary>
public sealed record BaseImageIdentity(string Name, Digest? Digest, bool IsScratch)
{
    public static BaseImageIdentity Scratch { get; } = new("scratch", null, true);
}
