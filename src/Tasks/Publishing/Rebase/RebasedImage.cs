using Containers.Build.Images;
using Containers.Build.Model;

namespace Containers.Build.Publishing.Rebase;

/// <summary>One platform's image moved onto its new base: the new manifest and config, and the base whose layers it now starts with.</summary>
internal sealed record RebasedImage(SourcePlatformImage Source, BaseImage NewBase, ImageManifest Manifest, ImageConfig Config);
