using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Join;

/// <summary>
/// Where an image to join is read from: a repository of a registry, or an OCI image layout. Every document it gives is
/// checked against its digest; its blobs go to the push as <see cref="ImageLayer"/>s, which a registry mounts when it
/// holds them in another repository, or which give their bytes.
/// </summary>
internal abstract class SourceStore
{
    /// <summary>As messages name it: <c>127.0.0.1:5000/team/app</c>, <c>the OCI layout /srv/layout</c>.</summary>
    public abstract string Where { get; }

    /// <summary>The manifest (or index) of that digest; null when there is none.</summary>
    public abstract Task<ManifestContent?> GetManifestAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>A blob small enough for memory (a config), checked against its descriptor.</summary>
    public abstract Task<byte[]> GetSmallBlobAsync(Descriptor descriptor, CancellationToken cancellationToken);

    /// <summary>A blob as the push takes it: mountable when a registry holds it, else its bytes, verified on the way.</summary>
    public abstract ImageLayer Blob(Descriptor descriptor);

    /// <summary>The artifact manifests (SBOMs, provenance, signatures) whose subject is <paramref name="subject"/>.</summary>
    public abstract Task<IReadOnlyList<Descriptor>> ReferrersAsync(Digest subject, CancellationToken cancellationToken);

    /// <summary>Whether this is the repository the index goes to: then its manifests, blobs and referrers are there already.</summary>
    public virtual bool IsRepository(RegistryHost registry, string targetRepository) => false;
}
