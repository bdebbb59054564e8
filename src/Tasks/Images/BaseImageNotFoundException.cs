using Containers.Build.References;

namespace Containers.Build.Images;

/// <summary>The base image's registry does not have that repository and tag or digest.</summary>
public sealed class BaseImageNotFoundException(ImageReference reference)
    : Exception($"The base image {reference} was not found in registry {reference.Registry}.")
{
    public ImageReference Reference { get; } = reference;
}
