using Containers.Build.Layers;

namespace Containers.Build.Publishing.Stages;

/// <summary>
/// Stage 3: every planned layer as a blob in the content store, from the cache when its inputs did not change,
/// else tarred and compressed; a layer shared by several platforms is written once. A layer the store misses may
/// be found by its key elsewhere (<see cref="RegistryLayerIndex"/>: the destination registry already holds it), and
/// is then neither written nor stored.
/// </summary>
public static class LayerWriteStage
{
    /// <param name="secrets">
    /// Where the published files are judged for secrets as they are read; the ContainerFile and ContainerDirectory items'
    /// layer is not, as its files were each named on purpose. Null: not judged.
    /// </param>
    /// <returns>The written layer of every planned layer, by reference.</returns>
    public static async Task<IReadOnlyDictionary<PlannedLayer, CachedLayer>> WriteAsync(LayerPlan plan, LayerOptions options, ContentStore store,
        IReadOnlyList<string> publishDirectories, CancellationToken cancellationToken, IKeyedLayerSource? elsewhere = null, SecretScan? secrets = null)
    {
        var cache = new LayerCache(store);
        var layers = plan.Distinct;
        var written = new CachedLayer[layers.Count];
        try
        {
            // Compression is CPU-bound: one layer per core.
            await Parallel.ForEachAsync(
                Enumerable.Range(0, layers.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
                async (i, ct) => written[i] = await cache.GetOrWriteAsync(layers[i].Entries, options.For(layers[i].Kind), ct, elsewhere,
                    layers[i].Kind == LayerKind.ExtraFiles ? null : secrets).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LayerWriteException(publishDirectories, store.Root, e);
        }
        var byLayer = new Dictionary<PlannedLayer, CachedLayer>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < layers.Count; i++)
        {
            byLayer[layers[i]] = written[i];
        }
        return byLayer;
    }
}
