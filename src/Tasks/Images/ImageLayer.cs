using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// A layer of an image, which answers for its own bytes: its descriptor, where a registry could mount it from
/// (when it came from one), and its compressed bytes as a verified local file. Destinations ask the layer;
/// they never decide themselves where a layer's bytes come from.
/// </summary>
public abstract record ImageLayer(Descriptor Descriptor)
{
    /// <summary>Where the layer comes from (for the summary line: "base 43.6 MB mounted, imported 2 MB mounted, app 1.2 MB uploaded").</summary>
    public abstract LayerOrigin Origin { get; }

    /// <summary>The registry and repository that hold this blob, for a cross-repository mount; null for a layer built here.</summary>
    public virtual MountSource? MountSource => null;

    /// <summary>
    /// The path of a local file with the layer's compressed bytes (a base layer's are checked when downloaded; a
    /// stored copy may have rotted since), for a reader that checks them itself: a registry verifies what it
    /// receives. Others read through <see cref="OpenAsync"/>, which checks them on the way.
    /// </summary>
    public abstract Task<string> GetFileAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The layer's compressed bytes, hashed as they are read: a copy that no longer matches the digest is dropped
    /// and the read fails with <see cref="CorruptLayerException"/> at its end, before anything is committed.
    /// </summary>
    public async Task<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        var file = await GetFileAsync(cancellationToken).ConfigureAwait(false);
        return new VerifyingReadStream(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, FileBuffer.Size, useAsync: true), Descriptor, () => DropCopy(file));
    }

    /// <summary>
    /// Deletes a local copy found to be corrupt (by a reader, or a registry that answered DIGEST_INVALID): the next
    /// read fetches or writes it again. A cache record whose blob is gone is a miss.
    /// </summary>
    public static void DropCopy(string file) => AtomicFile.TryDelete(file);
}
