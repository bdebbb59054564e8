using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Publishing.Join;

/// <summary>
/// One image to join, as the user named it (ContainerJoinImages, ContainerJoinImage items): a registry reference by
/// digest, the facts file a runner's publish wrote, or an OCI image layout. <see cref="Written"/> is how messages name it.
/// </summary>
public abstract record JoinSource(string Written)
{
    public sealed override string ToString() => Written;
}

/// <summary>An image in a registry, named by digest (a tag could move between a runner's push and the join).</summary>
public sealed record RegistryJoinSource(string Written, ImageReference Reference) : JoinSource(Written)
{
    public Digest Digest => Reference.Digest ?? throw new InvalidOperationException($"{Written} names no digest.");
}

/// <summary>An OCI image layout directory; the image is the one <paramref name="Digest"/> or <paramref name="Tag"/> names, or its only image.</summary>
public sealed record LayoutJoinSource(string Written, string Directory, string? Tag, Digest? Digest) : JoinSource(Written);

/// <summary>The facts file (container-image.json) a publish wrote: the registry, repository and digest it records.</summary>
public sealed record FactsJoinSource(string Written, string Path) : JoinSource(Written);
