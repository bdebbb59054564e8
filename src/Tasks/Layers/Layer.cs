using Containers.Build.Model;

namespace Containers.Build.Layers;

/// <summary>
/// A layer: its descriptor (compressed digest and size), its diff_id (digest of the uncompressed tar), and
/// where its compressed bytes are when they are on disk.
/// </summary>
public sealed record Layer(Descriptor Descriptor, Digest DiffId, string? BlobPath = null);
