using Containers.Build.References;

namespace Containers.Build.Registry;

/// <summary>A mirror answered for the base image with an error (rather than not having it): reported, never skipped silently.</summary>
public sealed class MirrorFailedException(RegistryHost mirror, ImageReference baseImage, RegistryException inner)
    : Exception($"The mirror {mirror} failed to answer for the base image {baseImage}: {inner.Message}", inner)
{
    public RegistryHost Mirror { get; } = mirror;
    public ImageReference BaseImage { get; } = baseImage;
}
