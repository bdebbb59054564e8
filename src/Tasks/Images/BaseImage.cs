using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Images;

/// <summary>
/// The image being built on: the reference it was named by, the manifest for the target platform, its
/// configuration, and the digest the name resolved to (the index's when the name pointed at one).
/// </summary>
public sealed record BaseImage(ImageReference Reference, ImageManifest Manifest, ImageConfig Config, Digest ResolvedDigest);
