using Containers.Build.References;

namespace Containers.Build.Publishing.Rebase;

/// <summary>The image to rebase is not in its registry: there is nothing to move.</summary>
public sealed class RebaseImageNotFoundException(ImageReference image)
    : Exception($"The image {image} was not found in registry {image.Registry}: there is nothing to rebase.")
{
    public ImageReference Image { get; } = image;
}
