using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Join;

/// <summary>
/// A repository of a registry: the push client when it is the target registry (one set of tokens, and its blobs can
/// be mounted), else a pull client. A blob copied from another registry is downloaded once into the content store,
/// checked against its digest, and uploaded from there.
/// </summary>
internal sealed class RegistrySourceStore(RegistryClient client, string repository, ContentStore store) : SourceStore
{
    public override string Where => $"{client.Registry}/{repository}";

    public override Task<ManifestContent?> GetManifestAsync(Digest digest, CancellationToken cancellationToken)
        => client.GetManifestAsync(repository, digest.ToString(), cancellationToken);

    public override Task<byte[]> GetSmallBlobAsync(Descriptor descriptor, CancellationToken cancellationToken)
        => client.GetSmallBlobAsync(repository, descriptor, cancellationToken);

    public override ImageLayer Blob(Descriptor descriptor) => new RegistryLayer(descriptor, client, repository, store);

    public override async Task<IReadOnlyList<Descriptor>> ReferrersAsync(Digest subject, CancellationToken cancellationToken)
    {
        var referrers = await client.GetReferrersAsync(repository, subject, cancellationToken).ConfigureAwait(false);
        if (referrers is null)
        {
            return [];
        }
        var entries = JsonContent.ParseObject(referrers, "referrers index")["manifests"] as JsonArray ?? [];
        return entries.Select((entry, i) => Descriptor.FromJson(entry, $"Entry {i} of the referrers of {subject}")).ToArray();
    }

    public override bool IsRepository(RegistryHost registry, string targetRepository) => client.Registry == registry && repository == targetRepository;
}
