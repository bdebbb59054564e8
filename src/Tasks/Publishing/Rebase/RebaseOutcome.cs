using Containers.Build.Model;
using Containers.Build.Publishing.Destinations;
using Containers.Build.References;

namespace Containers.Build.Publishing.Rebase;

/// <summary>
/// What a rebase did: the digest the image had and has now (an index's for a multi-platform image), each platform's
/// rebase, the tags that name the result, and how the new base's layers reached the repository.
/// </summary>
public sealed record RebaseOutcome(ImageReference Image, Digest OldDigest, Digest NewDigest, string MediaType, IReadOnlyList<PlatformRebase> Platforms)
{
    /// <summary>Whether the tags name an index.</summary>
    public bool IsIndex { get; init; }

    /// <summary>The tags put on the rebased image (none when nothing moved, or when it was pushed by digest only).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Each of the new base's layers: already in the repository, mounted from the base's, or copied.</summary>
    public IReadOnlyList<BlobTransfer> BaseLayers { get; init; } = [];

    /// <summary>How many of the old image's SBOMs and provenance statements now refer to the new one.</summary>
    public int Referrers { get; init; }

    /// <summary>Whether a new image was pushed: at least one platform's base moved.</summary>
    public bool Rebased => Platforms.Any(p => p.BaseMoved);

    /// <summary>registry/repository:tag of each tag, or registry/repository@digest when there is none.</summary>
    public IReadOnlyList<string> Names => Tags.Count > 0
        ? Tags.Select(t => $"{Image.Registry}/{Image.Repository}:{t}").ToArray()
        : [$"{Image.Registry}/{Image.Repository}@{NewDigest}"];

    /// <summary>The line a user reads: what the image was and is, on which base.</summary>
    public string Summary => RebaseSummary.Format(this);

    /// <summary>One line per platform, for the detailed log.</summary>
    public IEnumerable<string> Details => Platforms.Select(p => p.BaseMoved
        ? $"{p.Platform}: {p.OldDigest} -> {p.NewDigest}, base {p.BaseName} {p.OldBaseDigest} -> {p.NewBaseDigest}."
        : $"{p.Platform}: its base {p.BaseName} did not move ({p.NewBaseDigest}); kept as it is ({p.OldDigest}).");
}
