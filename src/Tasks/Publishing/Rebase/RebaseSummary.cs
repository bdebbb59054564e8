using Containers.Build.Publishing.Destinations;

namespace Containers.Build.Publishing.Rebase;

/// <summary>The one line a user reads after a rebase.</summary>
public static class RebaseSummary
{
    /// <summary>
    /// "Rebased registry/app:latest@sha256:new onto registry/aspnet:10.0@sha256:newbase (was sha256:old on
    /// sha256:oldbase); …", or "… is already on the current registry/aspnet:10.0@sha256:base: nothing to do."
    /// </summary>
    public static string Format(RebaseOutcome outcome)
    {
        if (!outcome.Rebased)
        {
            var current = string.Join(", ", outcome.Platforms.Select(p => $"{p.BaseName}@{p.NewBaseDigest}").Distinct());
            return $"{Named(outcome, outcome.OldDigest, includeTag: true)} is already on the current {current}: nothing to do.";
        }
        var moved = outcome.Platforms.Where(p => p.BaseMoved).ToArray();
        var bases = string.Join(", ", moved.Select(p => $"{p.BaseName}@{p.NewBaseDigest}").Distinct());
        var oldBases = string.Join(", ", moved.Select(p => p.OldBaseDigest.ToString()).Distinct());
        var platforms = outcome.IsIndex ? $" — {moved.Length} of {outcome.Platforms.Count} platform images rebased" : "";
        var mounted = outcome.BaseLayers.Count(l => l.Kind == BlobTransferKind.Mounted);
        var copied = outcome.BaseLayers.Where(l => l.Kind == BlobTransferKind.Uploaded).ToArray();
        var present = outcome.BaseLayers.Count(l => l.Kind == BlobTransferKind.AlreadyPresent);
        var tags = outcome.Tags.Count > 0 ? "" : "; pushed by digest only, no tag moved";
        var referrers = outcome.Referrers > 0 ? $"; {outcome.Referrers} SBOM and provenance referrer{(outcome.Referrers == 1 ? "" : "s")} moved to the new digest" : "";
        return $"Rebased {Named(outcome, outcome.NewDigest, includeTag: false)} onto {bases} (was {outcome.OldDigest} on {oldBases}){platforms}; "
            + $"new base layers: {mounted} mounted, {copied.Length} copied ({PushSummary.Size(copied.Sum(l => l.Descriptor.Size))}), {present} already in the repository{tags}{referrers}.";
    }

    private static string Named(RebaseOutcome outcome, Model.Digest digest, bool includeTag)
    {
        var image = outcome.Image;
        IReadOnlyList<string> tags = includeTag ? (image.Tag is { } tag ? [tag] : []) : outcome.Tags;
        return $"{image.Registry}/{image.Repository}{(tags.Count > 0 ? ":" + string.Join(",", tags) : "")}@{digest}";
    }
}
