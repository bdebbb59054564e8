using Containers.Build.Model;

namespace Containers.Build.SupplyChain;

/// <summary>
/// The image an SBOM describes: one platform's manifest. <paramref name="Repository"/> is where it is published
/// (<c>registry.example.com/team/app</c>), null for an image that only goes to a local engine or a file.
/// <paramref name="Created"/> is the image's own creation time (the one in its config), never the clock, so a rebuild
/// writes the same document.
/// </summary>
public sealed record SbomSubject(string? Repository, Digest ManifestDigest, Platform Platform, DateTimeOffset Created);
