using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Images;

/// <summary>The outcome of pushing an image: where it went, its digest, and what each blob cost.</summary>
public sealed record PushResult(RegistryHost Registry, string Repository, IReadOnlyList<string> Tags, Digest ManifestDigest, IReadOnlyList<BlobTransfer> Layers, BlobTransfer Config, int TagsUpdated)
{
    public IEnumerable<string> Names => Tags.Select(t => $"{Registry}/{Repository}:{t}");
}
