using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Images;

/// <summary>
/// The image being built on: the reference it was named by (null for a file source), the manifest for the target
/// platform, its configuration, the digest the name resolved to (the index's when the name pointed at one), and
/// its layers, each of which knows where its bytes are.
/// </summary>
public sealed record BaseImage(ImageReference? Reference, ImageManifest Manifest, ImageConfig Config, Digest ResolvedDigest, IReadOnlyList<ImageLayer> Layers)
{
    /// <summary>ContainerBaseImage as written, for a base read from a file source (oci:PATH[:TAG]); null for a registry's.</summary>
    public string? SourceName { get; init; }

    /// <summary>ContainerBaseImage=scratch: no base image, so no base labels and no base digest in the facts.</summary>
    public bool IsScratch { get; init; }

    /// <summary>The base.name label: the name as written for a file source, the canonical reference for a registry's.</summary>
    public string Name => SourceName ?? GeneratedLabels.CanonicalName(Reference!);

    /// <summary>The name as the facts file and messages give it: as written for a file source, the reference otherwise.</summary>
    public string DisplayName => SourceName ?? Reference!.ToString();
}
