using System.Text.Json.Nodes;
using Containers.Build.Model;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Join;

/// <summary>
/// The referrers of each image the join copied into the repository (its SBOM and provenance, and other tools'
/// signatures) come with it: an image keeps its digest when copied, so everything said about that digest stays true.
/// Each is copied as it is (its blobs, then its manifest by digest) and, on a registry without the referrers API, added
/// to the index under the image's referrers tag <c>sha256-&lt;hex&gt;</c>. Images the repository had already keep the
/// referrers they have there. The index is tagged by then: a referrer that cannot be copied is a warning, not a failed join.
/// </summary>
internal static class JoinReferrers
{
    /// <returns>How many referrers were copied.</returns>
    public static async Task<int> CopyAsync(RegistryClient target, string repository, IReadOnlyList<JoinedImage> copied, Action<PublishWarning>? warn, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var image in copied)
        {
            IReadOnlyList<Descriptor> referrers;
            try
            {
                referrers = await image.Store.ReferrersAsync(image.Digest, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RegistryException or InvalidContentException or JoinImageNotFoundException or JoinImageUnreadableException)
            {
                warn?.Invoke(new ReferrerNotCopiedWarning(null, image.Digest, image.Store.Where, target.Registry.ToString(), e.Message));
                continue;
            }
            foreach (var referrer in referrers)
            {
                try
                {
                    if (await CopyOneAsync(target, repository, image, referrer, cancellationToken).ConfigureAwait(false))
                    {
                        count++;
                    }
                }
                catch (Exception e) when (e is RegistryException or InvalidContentException or JoinImageNotFoundException or JoinImageUnreadableException)
                {
                    warn?.Invoke(new ReferrerNotCopiedWarning(referrer.Digest, image.Digest, image.Store.Where, target.Registry.ToString(), e.Message));
                }
            }
        }
        return count;
    }

    /// <returns>False when the referrer is gone from where it was listed.</returns>
    private static async Task<bool> CopyOneAsync(RegistryClient target, string repository, JoinedImage image, Descriptor referrer, CancellationToken cancellationToken)
    {
        var manifest = await image.Store.GetManifestAsync(referrer.Digest, cancellationToken).ConfigureAwait(false);
        if (manifest is null)
        {
            return false;
        }
        var json = JsonContent.ParseObject(manifest.Bytes, $"referrer {referrer.Digest}");
        var mediaType = JsonFields.String(json, "mediaType", "The referrer's manifest") ?? manifest.ContentType ?? referrer.MediaType;
        var blobs = new List<Descriptor> { Descriptor.FromJson(json["config"], "The referrer's config") };
        blobs.AddRange((json["layers"] as JsonArray ?? []).Select((layer, i) => Descriptor.FromJson(layer, $"Layer {i} of the referrer")));
        await JoinPush.CopyBlobsAsync(target, repository, image, blobs, cancellationToken).ConfigureAwait(false);

        var indexed = await target.PutManifestAsync(repository, referrer.Digest.ToString(), manifest.Bytes, mediaType, cancellationToken).ConfigureAwait(false);
        if (!indexed)
        {
            // The referrers tag schema (distribution-spec 1.1): the registry does not list referrers itself, the tag's index does.
            await target.UpdateReferrersTagAsync(repository, image.Digest,
                existing => ReferrersIndex.With(existing, referrer.Digest, Entry(json, referrer.Digest, manifest.Bytes.LongLength, mediaType)), cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>Its entry in a referrers list: its artifactType (else its config's media type) and annotations, as the referrers API lists it.</summary>
    private static JsonObject Entry(JsonObject manifest, Digest digest, long size, string mediaType)
    {
        var entry = new JsonObject
        {
            ["mediaType"] = mediaType,
            ["digest"] = digest.ToString(),
            ["size"] = size,
            ["artifactType"] = JsonFields.String(manifest, "artifactType", "The referrer's manifest") ?? JsonFields.String(manifest["config"], "mediaType", "The referrer's config"),
        };
        if (manifest["annotations"] is JsonObject annotations)
        {
            entry["annotations"] = annotations.DeepClone();
        }
        return entry;
    }
}
