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
            if (await target.GetReferrersAsync(repository, oldDigest, cancellationToken).ConfigureAwait(false) is not { } referrers)
            {
                continue;
            }
            var entries = JsonContent.ParseObject(referrers, "referrers index")["manifests"] as JsonArray ?? [];
            foreach (var entry in entries.OfType<JsonObject>())
            {
                var artifactType = JsonFields.String(entry, "artifactType", "A referrer");
                if (artifactType is null || !Carried.TryGetValue(artifactType, out var kind) || !Digest.TryParse(JsonFields.String(entry, "digest", "A referrer"), out var artifactDigest))
                {
                    continue;
                }
                var artifact = await target.GetManifestAsync(repository, artifactDigest.ToString(), cancellationToken).ConfigureAwait(false);
                if (artifact is null)
                {
                    continue;
                }
                var json = JsonContent.ParseObject(artifact.Bytes, "referrer manifest");
                var document = Descriptor.FromJson((json["layers"] as JsonArray)?.FirstOrDefault(), "The referrer's document");
                var created = JsonFields.String(json["annotations"], "org.opencontainers.image.created", "The referrer's annotations") ?? GeneratedLabels.FormatTime(DateTimeOffset.UnixEpoch);
                var content = await target.GetSmallBlobAsync(repository, document, cancellationToken).ConfigureAwait(false);
                var moved = Encoding.UTF8.GetString(content)
                    .Replace(oldDigest.Hex, image.Manifest.Digest.Hex, StringComparison.Ordinal)
                    .Replace(image.Source.Base.Digest.Hex, image.NewBase.ResolvedDigest.Hex, StringComparison.Ordinal);
                attachments.Add(new ImageAttachment(new Descriptor(image.Manifest.MediaType, image.Manifest.Digest, image.Manifest.Bytes.LongLength),
                    image.Source.Platform, kind, artifactType, Encoding.UTF8.GetBytes(moved), created));
            }
        }
        return await RegistryDestination.PushAttachmentsAsync(target, repository, attachments, warn, cancellationToken).ConfigureAwait(false);
    }
}
