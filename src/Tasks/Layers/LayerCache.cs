using System.Text.Json;
using System.Text.Json.Nodes;
using Containers.Build.Model;

namespace Containers.Build.Layers;

/// <summary>
/// Layers looked up by the hash of their inputs (<see cref="LayerInputKey"/>), as Jib does: a layer whose
/// inputs did not change is neither tarred nor compressed again; its descriptor and blob come from the store.
/// Records are written under a temporary name and renamed, and a record is only trusted when its blob is
/// there with the recorded size, so parallel builds sharing a store and cancelled builds leave it consistent.
/// </summary>
public sealed class LayerCache(ContentStore store)
{
    private string RecordDirectory => RecordDirectoryOf(store);

    private static string RecordDirectoryOf(ContentStore store) => Path.Combine(store.Root, "layers");

    /// <summary>Whether the store has any layer recorded (a fresh obj/ has none): one directory read, up to its first record.</summary>
    public static bool HasRecords(ContentStore store)
        => Directory.Exists(RecordDirectoryOf(store)) && Directory.EnumerateFiles(RecordDirectoryOf(store), "*.json").Any();

    /// <param name="elsewhere">
    /// Where to look, on a miss here, for a layer already made with the same key whose bytes stay where they are (the
    /// destination registry, on a runner whose store is empty); null to look nowhere else.
    /// </param>
    /// <param name="secrets">Where every file is judged for secrets, from the one read that always happens (for the key, or the tar that gives it); or null.</param>
    public async Task<CachedLayer> GetOrWriteAsync(IReadOnlyList<LayerEntry> entries, LayerOptions options, CancellationToken cancellationToken, IKeyedLayerSource? elsewhere = null,
        SecretScan? secrets = null)
    {
        if (!HasRecords(store) && (elsewhere is null || !await elsewhere.HoldsAnyAsync().ConfigureAwait(false)))
        {
            // Nothing here or elsewhere can have it: write it, and take the key from that same read of the files.
            var (written, writtenKey) = await new LayerWriter(store).WriteKeyedAsync(entries, options, cancellationToken, secrets).ConfigureAwait(false);
            Record(writtenKey, written);
            return new CachedLayer(written, FromCache: false, writtenKey);
        }
        // The key is always computed here, from the files: a source elsewhere only says which blob has it.
        var key = await LayerInputKey.ComputeAsync(entries, options, cancellationToken, secrets).ConfigureAwait(false);
        if (TryRead(key) is { } cached)
        {
            return new CachedLayer(cached, FromCache: true, key);
        }
        if (elsewhere is not null && await elsewhere.FindAsync(key, cancellationToken).ConfigureAwait(false) is { } found)
        {
            return new CachedLayer(found, FromCache: false, key) { FoundByKey = true };
        }
        var layer = await new LayerWriter(store).WriteAsync(entries, options, cancellationToken).ConfigureAwait(false);
        Record(key, layer);
        return new CachedLayer(layer, FromCache: false, key);
    }

    private Layer? TryRead(Digest key)
    {
        var path = Path.Combine(RecordDirectory, key.Hex + ".json");
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            var json = JsonNode.Parse(File.ReadAllBytes(path))!;
            var descriptor = new Descriptor(
                json["mediaType"]!.GetValue<string>(),
                Digest.Parse(json["digest"]!.GetValue<string>()),
                json["size"]!.GetValue<long>());
            var diffId = Digest.Parse(json["diffId"]!.GetValue<string>());
            var blob = new FileInfo(store.PathOf(descriptor.Digest));
            return blob.Exists && blob.Length == descriptor.Size ? new Layer(descriptor, diffId, blob.FullName) : null;
        }
        catch (Exception e) when (e is JsonException or FormatException or NullReferenceException or InvalidOperationException or IOException)
        {
            // A damaged record is a miss; the layer is written again and the record replaced.
            return null;
        }
    }

    private void Record(Digest key, Layer layer)
    {
        var json = new JsonObject
        {
            ["mediaType"] = layer.Descriptor.MediaType,
            ["digest"] = layer.Descriptor.Digest.ToString(),
            ["size"] = layer.Descriptor.Size,
            ["diffId"] = layer.DiffId.ToString(),
        };
        AtomicFile.WriteAllBytes(Path.Combine(RecordDirectory, key.Hex + ".json"), JsonContent.Serialize(json));
    }
}

/// <summary>A layer, the key of its inputs (recorded in the image's history), and whether it came from the cache.</summary>
public sealed record CachedLayer(Layer Layer, bool FromCache, Digest Key)
{
    /// <summary>
    /// Neither written nor in the store: an <see cref="IKeyedLayerSource"/> had a layer with this key, whose bytes
    /// stay there (<see cref="Layer.BlobPath"/> is null) until a destination asks for them.
    /// </summary>
    public bool FoundByKey { get; init; }
}
