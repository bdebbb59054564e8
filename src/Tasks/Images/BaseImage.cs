using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Images;

/// <summary>
/// The image being built on: the reference it was named by, the manifest for the target platform, its
/// configuration, the digest the name resolved to (the index's when the name pointed at one), and its layers,
/// each of which knows where its bytes are.
/// </summary>
public sealed record BaseImage(ImageReference Reference, ImageManifest Manifest, ImageConfig Config, Digest ResolvedDigest, IReadOnlyList<ImageLayer> Layers);
