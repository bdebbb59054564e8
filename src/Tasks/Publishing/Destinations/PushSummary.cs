using System.Globalization;
using Containers.Build.Images;

namespace Containers.Build.Publishing.Destinations;

/// <summary>The one line a user reads after a push: what went where, how big, and what it cost.</summary>
public static class PushSummary
{
    public static string Format(PushResult push, LayerReport report)
    {
        var reference = push.IsUntagged
            ? $"{push.Registry}/{push.Repository}@{push.ManifestDigest}"
            : $"{push.Registry}/{push.Repository}:{string.Join(",", push.Tags)}@{push.ManifestDigest}";
        var layers = string.Join(", ", push.Layers.Select(l => $"{(l.Origin ?? LayerOrigin.App).ToString().ToLowerInvariant()} {Size(l.Descriptor.Size)} {Verb(l.Kind)}"));
        var uploaded = push.Layers.Concat(push.Configs).Where(l => l.Kind == BlobTransferKind.Uploaded).ToArray();
        var uploadedBytes = uploaded.Sum(l => l.Descriptor.Size);
        var present = push.Layers.Count(l => l.Kind != BlobTransferKind.Uploaded);
        var reused = report.FromCache;
        var filesLeftOut = report.FilesLeftOut;
        var tagged = push.IsUntagged ? "pushed by digest only: no image tag was created or moved"
            : push.TagsUpdated == 0 ? "tags already pointed at it" : $"{push.TagsUpdated} of {push.Tags.Count} tags updated";
        var leftOut = filesLeftOut > 0 ? $" {filesLeftOut} published files for other platforms left out;" : "";
        var platforms = push.IsIndex ? $"an index of {push.PlatformCount} platform image{(push.PlatformCount == 1 ? "" : "s")}" + (push.PlatformTags.Count > 0 ? $" (also tagged {string.Join(", ", push.PlatformTags)})" : "") + ", " : "";
        var attached = push.Attached > 0 ? $"; {push.Attached} referrer{(push.Attached == 1 ? "" : "s")} attached (SBOM, provenance)" : "";
        return $"Pushed {reference} — {platforms}{push.Layers.Count} layers ({layers});{leftOut} {report.FoundByKeySummary}{reused} of {report.NewLayers.Count} app layers reused from the cache; uploaded {uploaded.Length} blobs, {Size(uploadedBytes)}; {present} layers already in the registry or mounted; {tagged}{attached}.";
    }

    private static string Verb(BlobTransferKind kind) => kind switch
    {
        BlobTransferKind.AlreadyPresent => "present",
        BlobTransferKind.Mounted => "mounted",
        _ => "uploaded",
    };

    /// <summary>A size as people read it: 60.1 KB, 43.6 MB.</summary>
    public static string Size(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0
            ? $"{bytes} B"
            : value.ToString(value >= 100 ? "0" : "0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
