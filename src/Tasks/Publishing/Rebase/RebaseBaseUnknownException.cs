using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Publishing.Rebase;

/// <summary>
/// The image does not say which base it was built on (no base.name / base.digest annotations or labels, or values
/// that are not a name and a digest), or names a base that is not in a registry (a file or a local engine), whose
/// new digest cannot be looked up.
/// </summary>
public sealed class RebaseBaseUnknownException(ImageReference image, Platform platform, string reason, bool isNotInRegistry = false)
    : Exception($"The image {image} ({platform}) cannot be rebased: {reason}")
{
    public ImageReference Image { get; } = image;

    /// <summary>The base is recorded, but as a file or local engine source: only a registry's base can have moved.</summary>
    public bool IsNotInRegistry { get; } = isNotInRegistry;
}
