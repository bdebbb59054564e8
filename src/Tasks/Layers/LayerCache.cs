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
    private string RecordDirectory => Path.Combine(store.Root, "layers");

    public async Task<CachedLayer> GetOrWriteAsync(IReadOnlyList<LayerEntry> entries, LayerOptions options, CancellationToken cancellationToken)
    {
        var key = await LayerInputKey.ComputeAsync(entries, options, cancellationToken).ConfigureAwait(false);
        if (TryRead(key) is { } cached)
        {
            return new CachedLayer(cached, FromCache: true);
        }
        var layer = await new LayerWriter(store).WriteAsync(entries, options, cancellationToken).ConfigureAwait(false);
        Record(key, layer);
        return new CachedLayer(layer, FromCache: false);
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

/// <summary>A layer and whether it came from the cache.</summary>
public sealed record CachedLayer(Layer Layer, bool FromCache);
