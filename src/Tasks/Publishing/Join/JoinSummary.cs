using Containers.Build.Model;
using Containers.Build.Publishing.Destinations;

namespace Containers.Build.Publishing.Join;

/// <summary>The one line a user reads after a join.</summary>
public static class JoinSummary
{
    /// <summary>
    /// "Joined 2 platform images into registry/app:1.0,latest@sha256:… (an OCI image index: linux/amd64 sha256:…,
    /// linux/arm64/v8 sha256:…); 2 already in the repository, 0 copied; 2 of 2 tags updated."
    /// </summary>
    public static string Format(JoinOutcome outcome)
    {
        var kind = outcome.Index.MediaType == MediaTypes.DockerManifestList ? "a Docker manifest list" : "an OCI image index";
        var platforms = string.Join(", ", outcome.Platforms.Select(p => $"{p.Platform} {p.Digest}"));
        var copied = outcome.Platforms.Count(p => p.Copied);
        var blobs = "";
        if (copied > 0)
        {
            var mounted = outcome.Blobs.Count(b => b.Kind == BlobTransferKind.Mounted);
            var uploaded = outcome.Blobs.Where(b => b.Kind == BlobTransferKind.Uploaded).ToArray();
            var present = outcome.Blobs.Count(b => b.Kind == BlobTransferKind.AlreadyPresent);
            blobs = $" (blobs: {mounted} mounted, {uploaded.Length} uploaded ({PushSummary.Size(uploaded.Sum(b => b.Descriptor.Size))}), {present} already there)";
        }
        var tagged = outcome.TagsUpdated == 0 ? "the tags already named it" : $"{outcome.TagsUpdated} of {outcome.Tags.Count} tags updated";
        var referrers = outcome.Referrers > 0 ? $"; {outcome.Referrers} referrer{(outcome.Referrers == 1 ? "" : "s")} (SBOM, provenance) copied with them" : "";
        return $"Joined {outcome.Platforms.Count} platform image{(outcome.Platforms.Count == 1 ? "" : "s")} into {outcome.Registry}/{outcome.Repository}:{string.Join(",", outcome.Tags)}@{outcome.Index.Digest} "
            + $"({kind}: {platforms}); {outcome.Platforms.Count - copied} already in the repository, {copied} copied into it{blobs}{referrers}; {tagged}.";
    }
}
