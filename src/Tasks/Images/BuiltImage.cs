using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>A finished image for one platform: manifest, configuration and layers, all with their exact bytes or sources.</summary>
public sealed record BuiltImage(BaseImage Base, ImageManifest Manifest, ImageConfig Config, IReadOnlyList<ImageLayer> Layers, Platform Platform)
{
    public Digest Digest => Manifest.Digest;
}
