using Containers.Build.References;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Rebase;

/// <summary>Which image to move onto its base's new digest, and which tags then name the result.</summary>
/// <param name="Image">The image as it is now: a tag, or a digest.</param>
/// <param name="Tags">The tags of <paramref name="Image"/>'s repository to put the rebased image under; none: it is pushed by digest only.</param>
/// <param name="ContentStoreDirectory">Where base manifests, configs and layers copied from another registry are kept.</param>
public sealed record RebaseRequest(ImageReference Image, IReadOnlyList<string> Tags, string ContentStoreDirectory)
{
    /// <summary>Mirrors the base is read through, as the publish reads it.</summary>
    public RegistryMirrors Mirrors { get; init; } = RegistryMirrors.None;
}
