using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Publishing.Destinations;

/// <summary>
/// The outcome of pushing an image (or a multi-platform image's index and every platform's image): where it
/// went, the digest the tags name, and what each blob cost.
/// </summary>
public sealed record PushResult(RegistryHost Registry, string Repository, IReadOnlyList<string> Tags, Digest ManifestDigest, IReadOnlyList<BlobTransfer> Layers, IReadOnlyList<BlobTransfer> Configs, int TagsUpdated)
{
    /// <summary>Whether the tags name an image index (a multi-platform image).</summary>
    public bool IsIndex { get; init; }

    /// <summary>How many platform images the tags name (1 for a single image).</summary>
    public int PlatformCount { get; init; } = 1;

    /// <summary>&lt;tag&gt;-&lt;rid&gt; tags given to each platform's manifest (ContainerPublishPlatformTags).</summary>
    public IReadOnlyList<string> PlatformTags { get; init; } = [];

    /// <summary>How many attachments (SBOMs, provenance) the registry holds as referrers of the image.</summary>
    public int Attached { get; init; }

    /// <summary>registry/repository:tag for each tag; registry/repository@digest for an image pushed by digest only.</summary>
    public IEnumerable<string> Names => IsUntagged
        ? [$"{Registry}/{Repository}@{ManifestDigest}"]
        : Tags.Concat(PlatformTags).Select(t => $"{Registry}/{Repository}:{t}");

    /// <summary>Pushed by digest only (ContainerPublishUntagged): no tag names it.</summary>
    public bool IsUntagged => Tags.Count == 0;
}
