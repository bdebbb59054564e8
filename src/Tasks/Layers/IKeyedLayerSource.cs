using Containers.Build.Model;

namespace Containers.Build.Layers;

/// <summary>
/// Layers made before, elsewhere, found by the key of their inputs (<see cref="LayerInputKey"/>) — the image a
/// registry already holds, read by a runner whose own store is empty. A source never fails a publish: anything it
/// cannot read is a miss, and the layer is written.
/// </summary>
public interface IKeyedLayerSource
{
    /// <returns>The layer with this key (its bytes not local: no <see cref="Layer.BlobPath"/>), or null.</returns>
    Task<Layer?> FindAsync(Digest key, CancellationToken cancellationToken);

    /// <summary>
    /// Whether any key could be found here at all (false: nothing there, such as a repository without the tag, or an
    /// image that records no key), so that a layer need not wait for its key before it is written.
    /// </summary>
    Task<bool> HoldsAnyAsync();
}
