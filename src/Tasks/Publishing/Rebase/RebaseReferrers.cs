using System.Text;
using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.Publishing.Destinations;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Rebase;

/// <summary>
/// The SBOM and provenance follow a rebased image: each of the old manifest's referrers that this tool writes (SPDX,
/// CycloneDX, in-toto) is attached to the new manifest, its document saying the new image's and the new base's digests
/// where it said the old ones (the packages the app ships did not change). Other tools' referrers (signatures) are not
/// carried: they vouched for the old image, not for this one.
/// </summary>
internal static class RebaseReferrers
{
    private static readonly Dictionary<string, AttachmentKind> Carried = new(StringComparer.Ordinal)
    {
        [MediaTypes.SpdxJson] = AttachmentKind.Sbom,
        [MediaTypes.CycloneDxJson] = AttachmentKind.Sbom,
        [MediaTypes.InTotoJson] = AttachmentKind.Provenance,
    };

    /// <returns>How many documents now refer to the new images.</returns>
    public static async Task<int> CarryAsync(RegistryClient target, string repository, IReadOnlyList<RebasedImage> images, Action<PublishWarning>? warn, CancellationToken cancellationToken)
    {
        var attachments = new List<ImageAttachment>();
        foreach (var image in images)
        {
            var oldDigest = image.Source.Manifest.Digest;
            JsonArray entries;
            try
            {
                var referrers = await target.GetReferrersAsync(repository, oldDigest, cancellationToken).ConfigureAwait(false);
                entries = referrers is null ? [] : JsonContent.ParseObject(referrers, "referrers index")["manifests"] as JsonArray ?? [];
            }
            catch (Exception e) when (e is RegistryException or InvalidContentException)
            {
                warn?.Invoke(new ReferrerNotCarriedWarning(oldDigest, image.Manifest.Digest, target.Registry.ToString(), e.Message));
                continue;
            }
            foreach (var entry in entries.OfType<JsonObject>())
            {
                var artifactType = entry["artifactType"] is JsonValue type && type.TryGetValue<string>(out var typeText) ? typeText : null;
                var digestText = entry["digest"] is JsonValue digest && digest.TryGetValue<string>(out var text) ? text : null;
                if (artifactType is null || !Carried.TryGetValue(artifactType, out var kind) || !Digest.TryParse(digestText, out var artifactDigest))
                {
                    continue;
                }
                try
                {
                    if (await ReadAsync(target, repository, image, artifactDigest, artifactType, kind, cancellationToken).ConfigureAwait(false) is { } attachment)
                    {
                        attachments.Add(attachment);
                    }
                }
                // The image is rebased and tagged by now: a referrer that cannot be read is said, not a failed rebase.
                catch (Exception e) when (e is RegistryException or InvalidContentException)
                {
                    warn?.Invoke(new ReferrerNotCarriedWarning(artifactDigest, image.Manifest.Digest, target.Registry.ToString(), e.Message));
                }
            }
        }
        return await AttachmentPush.SendAsync(target, repository, attachments, warn, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One referrer's document, its digests moved to the new image and base; null when the artifact is gone.</summary>
    private static async Task<ImageAttachment?> ReadAsync(RegistryClient target, string repository, RebasedImage image, Digest artifactDigest, string artifactType, AttachmentKind kind, CancellationToken cancellationToken)
    {
        var artifact = await target.GetManifestAsync(repository, artifactDigest.ToString(), cancellationToken).ConfigureAwait(false);
        if (artifact is null)
        {
            return null;
        }
        var json = JsonContent.ParseObject(artifact.Bytes, "referrer manifest");
        var document = Descriptor.FromJson((json["layers"] as JsonArray)?.FirstOrDefault(), "The referrer's document");
        var created = JsonFields.String(json["annotations"], "org.opencontainers.image.created", "The referrer's annotations") ?? GeneratedLabels.FormatTime(DateTimeOffset.UnixEpoch);
        var content = await target.GetSmallBlobAsync(repository, document, cancellationToken).ConfigureAwait(false);
        var moved = Encoding.UTF8.GetString(content)
            .Replace(image.Source.Manifest.Digest.Hex, image.Manifest.Digest.Hex, StringComparison.Ordinal)
            .Replace(image.Source.Base.Digest.Hex, image.NewBase.ResolvedDigest.Hex, StringComparison.Ordinal)
            // A CycloneDX serial number is a UUID of the image's digest, not the digest itself: a new image, a new serial.
            .Replace(SupplyChain.CycloneDxDocument.SerialNumber(image.Source.Manifest.Digest), SupplyChain.CycloneDxDocument.SerialNumber(image.Manifest.Digest), StringComparison.Ordinal);
        return new ImageAttachment(new Descriptor(image.Manifest.MediaType, image.Manifest.Digest, image.Manifest.Bytes.LongLength),
            image.Source.Platform, kind, artifactType, Encoding.UTF8.GetBytes(moved), created);
    }
}
