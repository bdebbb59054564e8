using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Publishing.Rebase;

/// <summary>
/// The old base the image records is no longer in its registry (deleted, or garbage-collected after its tag
/// moved): without its manifest, which of the image's layers are the base's cannot be checked.
/// </summary>
public sealed class RebaseOldBaseGoneException(ImageReference image, Platform platform, ImageReference baseImage, Digest oldBase)
    : Exception($"The old base {oldBase} of the image {image} ({platform}) is gone from its registry ({baseImage.Registry}/{baseImage.Repository} has no such manifest): which of the image's layers are the base's cannot be checked.")
{
    public ImageReference Image { get; } = image;
}
