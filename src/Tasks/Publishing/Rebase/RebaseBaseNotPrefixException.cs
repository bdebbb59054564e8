using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Publishing.Rebase;

/// <summary>
/// The image's lowest layers (and diff_ids) are not exactly its recorded old base's: which of its layers are the
/// base's cannot be told, so they cannot be swapped for the new base's.
/// </summary>
public sealed class RebaseBaseNotPrefixException(ImageReference image, Platform platform, string baseName, Digest oldBase, string difference)
    : Exception($"The image {image} ({platform}) is not built on the base it records, {baseName}@{oldBase}: {difference}.")
{
    public ImageReference Image { get; } = image;
}
