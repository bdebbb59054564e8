using Containers.Build.Model;
using Containers.Build.Publishing.Destinations;
using Containers.Build.References;

namespace Containers.Build.Publishing.Join;

/// <summary>What a join did: the index the tags name now, each platform's image in it, and what it cost to bring them into the repository.</summary>
public sealed record JoinOutcome(RegistryHost Registry, string Repository, IReadOnlyList<string> Tags, ImageIndex Index, IReadOnlyList<PlatformJoin> Platforms)
{
    /// <summary>Each blob of the images copied into the repository: already there, mounted from another repository, or uploaded.</summary>
    public IReadOnlyList<BlobTransfer> Blobs { get; init; } = [];

    /// <summary>How many tags were put (a tag that named the index already is not put again).</summary>
    public int TagsUpdated { get; init; }

    /// <summary>How many referrers (SBOMs, provenance, signatures) of the copied images were copied with them.</summary>
    public int Referrers { get; init; }

    /// <summary>registry/repository:tag of each tag.</summary>
    public IReadOnlyList<string> Names => Tags.Select(t => $"{Registry}/{Repository}:{t}").ToArray();

    /// <summary>The line a user reads.</summary>
    public string Summary => JoinSummary.Format(this);

    /// <summary>One line per platform, for the detailed log.</summary>
    public IEnumerable<string> Details => Platforms.Select(p =>
        $"{p.Platform}: {p.Digest} from {p.Source}, {(p.Copied ? "copied into" : "already in")} {Registry}/{Repository}.");
}
