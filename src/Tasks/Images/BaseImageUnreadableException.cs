using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Images;

/// <summary>The base image's registry answered, but with an error or with documents that are not a valid image.</summary>
public sealed class BaseImageUnreadableException(ImageReference reference, Exception inner)
    : Exception(inner is InvalidContentException
        ? $"The base image {reference} is not a valid image: {inner.Message}"
        : $"The base image {reference} could not be read: {inner.Message}", inner)
{
    public ImageReference Reference { get; } = reference;

    /// <summary>The registry sent something that is not an image (rather than an error).</summary>
    public bool IsInvalidContent => InnerException is InvalidContentException;
}
