using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// A layer of an image, which answers for its own bytes: its descriptor, where a registry could mount it from
/// (when it came from one), and its compressed bytes as a verified local file. Destinations ask the layer;
/// they never decide themselves where a layer's bytes come from.
/// </summary>
public abstract record ImageLayer(Descriptor Descriptor)
{
    /// <summary>Whether the layer is the base image's (for the summary line: "base 43.6 MB mounted").</summary>
    public abstract bool IsFromBase { get; }

    /// <summary>The registry and repository that hold this blob, for a cross-repository mount; null for a layer built here.</summary>
    public virtual MountSource? MountSource => null;

    /// <summary>The path of a local file holding exactly the layer's compressed bytes (checked against its digest when fetched).</summary>
    public abstract Task<string> GetFileAsync(CancellationToken cancellationToken);

    /// <summary>The layer's compressed bytes, as a seekable stream.</summary>
    public async Task<Stream> OpenAsync(CancellationToken cancellationToken)
        => new FileStream(await GetFileAsync(cancellationToken).ConfigureAwait(false), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
}
