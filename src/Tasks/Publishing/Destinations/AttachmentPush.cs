using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Destinations;

/// <summary>
/// An image's attachments (its SBOM, its provenance) sent to a registry as OCI artifacts whose subject is the image's
/// manifest, in two steps. <see cref="SendBlobsAsync"/> needs nothing of the image in the registry, so it goes alongside
/// the layers: what the subject's referrers already list (a republish: then nothing is sent), and for the rest the
/// empty config and the documents as blobs. <see cref="CompleteAsync"/> comes once the image is complete and tagged:
/// each artifact manifest by digest (put again if it is there already: a put is idempotent, and its answer says
/// whether the registry lists it by itself), then — on a registry without the referrers API — every artifact of a
/// subject added at once to the index under the referrers tag <c>sha256-&lt;hex&gt;</c>, keeping what other tools put
/// there. Whatever the registry does with referrers (refuses a media type, a permission, stops answering) is a
/// warning, never the image's failure.
/// </summary>
/// <param name="Listed">How many attachments the registry already holds and lists (nothing more is sent for them).</param>
/// <param name="Ready">The attachments whose blobs are there, in the order given: their manifests are still to be put.</param>
/// <param name="Refused">The attachments the registry refused a blob or a lookup of, and its message.</param>
internal sealed record AttachmentPush(RegistryClient Target, string Repository, int Listed, IReadOnlyList<ImageAttachment> Ready,
    IReadOnlyList<(ImageAttachment Attachment, string Reason)> Refused)
{
    /// <summary>Both steps, one after the other: for an image already complete in the registry (a rebase's).</summary>
    /// <returns>The attachments the registry holds.</returns>
    public static async Task<int> SendAsync(RegistryClient target, string repository, IReadOnlyList<ImageAttachment> attachments, Action<PublishWarning>? warn,
        CancellationToken cancellationToken)
        => await (await SendBlobsAsync(target, repository, attachments, cancellationToken).ConfigureAwait(false)).CompleteAsync(warn, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The step that can go before the image is there: the referrers read once per subject, then, for an attachment
    /// not both listed and present (a GET of its manifest), its blobs, each checked first and sent when missing.
    /// </summary>
    public static async Task<AttachmentPush> SendBlobsAsync(RegistryClient target, string repository, IReadOnlyList<ImageAttachment> attachments, CancellationToken cancellationToken)
    {
        var listed = 0;
        var ready = new List<ImageAttachment>();
        var refused = new List<(ImageAttachment, string)>();
        var referrersOf = new Dictionary<Digest, byte[]?>();
        foreach (var attachment in attachments)
        {
            try
            {
                var subject = attachment.Subject.Digest;
                if (!referrersOf.TryGetValue(subject, out var referrers))
                {
                    referrers = await ListedReferrersAsync(target, repository, subject, cancellationToken).ConfigureAwait(false);
                    referrersOf[subject] = referrers;
                }
                // Listed is not enough where a client keeps the list (the referrers tag): the manifest must be there too,
                // and with it its blobs.
                if (ReferrersIndex.Lists(referrers, attachment.Manifest.Digest)
                    && await target.GetManifestDigestAsync(repository, attachment.Manifest.Digest.ToString(), cancellationToken).ConfigureAwait(false) == attachment.Manifest.Digest)
                {
                    listed++;
                    continue;
                }
                await RegistryDestination.PushBytesAsync(target, repository, ArtifactManifest.EmptyConfigDescriptor, ArtifactManifest.EmptyConfig, cancellationToken).ConfigureAwait(false);
                await RegistryDestination.PushBytesAsync(target, repository, attachment.Document, attachment.Content, cancellationToken).ConfigureAwait(false);
                ready.Add(attachment);
            }
            catch (Exception e) when (e is RegistryException or InvalidContentException)
            {
                refused.Add((attachment, e.Message));
            }
        }
        return new AttachmentPush(target, repository, listed, ready, refused);
    }

    /// <summary>
    /// The subject's referrers, asked before the image is pushed: a registry may refuse a read of a repository that does
    /// not exist yet (401 or 403 where others say 404), which is then none listed. The upload that follows meets a real
    /// refusal again, and says it.
    /// </summary>
    private static async Task<byte[]?> ListedReferrersAsync(RegistryClient target, string repository, Digest subject, CancellationToken cancellationToken)
    {
        try
        {
            return await target.GetReferrersAsync(repository, subject, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RegistryException or InvalidContentException)
        {
            return null;
        }
    }

    /// <summary>The step that needs the image complete and tagged: the artifact manifests, the referrers tag, and a warning for each refusal.</summary>
    /// <returns>The attachments the registry holds.</returns>
    public async Task<int> CompleteAsync(Action<PublishWarning>? warn, CancellationToken cancellationToken)
    {
        var attached = Listed;
        foreach (var (attachment, reason) in Refused)
        {
            warn?.Invoke(new AttachmentRefusedWarning(attachment, Target.Registry.ToString(), reason));
        }
        var toTag = new List<ImageAttachment>();
        foreach (var attachment in Ready)
        {
            try
            {
                var artifact = attachment.Manifest;
                if (await Target.PutManifestAsync(Repository, artifact.Digest.ToString(), artifact.Bytes, artifact.MediaType, cancellationToken).ConfigureAwait(false))
                {
                    attached++;
                }
                else
                {
                    toTag.Add(attachment);
                }
            }
            catch (Exception e) when (e is RegistryException or InvalidContentException)
            {
                warn?.Invoke(new AttachmentRefusedWarning(attachment, Target.Registry.ToString(), e.Message));
            }
        }
        foreach (var subject in toTag.GroupBy(a => a.Subject.Digest))
        {
            try
            {
                await Target.UpdateReferrersTagAsync(Repository, subject.Key,
                    existing => subject.Aggregate(existing, (index, attachment) => ReferrersIndex.With(index, attachment.Manifest)), cancellationToken).ConfigureAwait(false);
                attached += subject.Count();
            }
            catch (Exception e) when (e is RegistryException or InvalidContentException)
            {
                foreach (var attachment in subject)
                {
                    warn?.Invoke(new AttachmentRefusedWarning(attachment, Target.Registry.ToString(), e.Message));
                }
            }
        }
        return attached;
    }
}
