using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Native;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Stages;

/// <summary>
/// The app layers of the image a tag names in the destination repository, by the input keys their history entries
/// record (<see cref="LayerKeyHistory"/>): what lets a runner with an empty store find a layer it would make again
/// without making it. Read once, when the first layer misses the local cache: the manifest (for an index, each
/// platform's, at most <see cref="MaxManifests"/>) and the configs, with the push's client and credentials — this
/// registry only, never a mirror or another host. Only entries this tool wrote count, and a key is always computed
/// from the files here: the registry only says which blob has it, and that the blob is there (HEAD). Whatever cannot
/// be read (no tag, an error, malformed JSON) means no layer is found: the layers are written as without it.
/// The same configs say which native checks the image records (<see cref="NativeCheckRecord"/>), so that a fresh
/// runner need not download the base to check an unchanged image again.
/// </summary>
public sealed class RegistryLayerIndex : IKeyedLayerSource
{
    /// <summary>The platform manifests of an index read at most: a few small GETs, however large the index.</summary>
    public const int MaxManifests = 16;

    private readonly RegistryClient _registry;
    private readonly string _repository;
    private readonly string _tag;
    private readonly ContentStore _store;
    private readonly Action<string> _note;
    private readonly Lazy<Task<Recorded>> _recorded;

    public RegistryLayerIndex(RegistryClient registry, string repository, string tag, ContentStore store, Action<string> note, CancellationToken cancellationToken)
    {
        _registry = registry;
        _repository = repository;
        _tag = tag;
        _store = store;
        _note = note;
        _recorded = new(() => ReadAsync(cancellationToken));
    }

    public async Task<Layer?> FindAsync(Digest key, CancellationToken cancellationToken)
    {
        if (!(await _recorded.Value.ConfigureAwait(false)).Layers.TryGetValue(key, out var layer))
        {
            return null;
        }
        try
        {
            // The image may name a blob the repository no longer has (garbage-collected, or pushed elsewhere).
            return await _registry.BlobExistsAsync(_repository, layer.Descriptor.Digest, cancellationToken).ConfigureAwait(false) ? layer : null;
        }
        catch (Exception e) when (IsReadFailure(e, cancellationToken))
        {
            _note($"The layer with input key {key} was not checked in {Where} ({e.Message}); it is written.");
            return null;
        }
    }

    public async Task<bool> HoldsAnyAsync() => (await _recorded.Value.ConfigureAwait(false)).Layers.Count > 0;

    /// <summary>The native check the image records with <paramref name="key"/> (computed here, from this build's image), or null.</summary>
    public async Task<NativeCheckResult?> RecordedNativeCheckAsync(Digest key)
        => (await _recorded.Value.ConfigureAwait(false)).NativeChecks.GetValueOrDefault(key);

    /// <summary>The image layer of a layer found here: mountable from this repository, its bytes fetched and verified if a destination reads them.</summary>
    public ImageLayer LayerOf(Layer layer) => new KeyedRegistryLayer(layer.Descriptor, _registry, _repository, _store);

    private string Where => $"{_registry.Registry}/{_repository}:{_tag}";

    private async Task<Recorded> ReadAsync(CancellationToken cancellationToken)
    {
        var layers = new Dictionary<Digest, Layer>();
        var nativeChecks = new Dictionary<Digest, NativeCheckResult>();
        try
        {
            var top = await _registry.GetManifestAsync(_repository, _tag, cancellationToken).ConfigureAwait(false);
            if (top is null)
            {
                return new Recorded(layers, nativeChecks);
            }
            foreach (var manifest in await ManifestsAsync(top, cancellationToken).ConfigureAwait(false))
            {
                var config = ImageConfig.Parse(await _registry.GetSmallBlobAsync(_repository, manifest.Config, cancellationToken).ConfigureAwait(false));
                foreach (var result in NativeCheckRecord.ResultsIn(config))
                {
                    nativeChecks.TryAdd(result.Key, result);
                }
                var keys = LayerKeyHistory.KeysOf(config);
                var diffIds = config.DiffIds;
                if (keys is null || diffIds.Count != manifest.Layers.Count)
                {
                    continue;
                }
                for (var i = 0; i < keys.Count; i++)
                {
                    if (keys[i] is { } key)
                    {
                        layers.TryAdd(key, new Layer(manifest.Layers[i], diffIds[i]));
                    }
                }
            }
        }
        catch (Exception e) when (IsReadFailure(e, cancellationToken))
        {
            _note($"The layers of {Where} could not be read to find app layers by input key ({e.Message}); they are written here.");
            layers.Clear();
            nativeChecks.Clear();
        }
        return new Recorded(layers, nativeChecks);
    }

    private async Task<IReadOnlyList<ImageManifest>> ManifestsAsync(ManifestContent top, CancellationToken cancellationToken)
    {
        var json = JsonContent.ParseObject(top.Bytes, "manifest");
        if (json["manifests"] is null)
        {
            return [ImageManifest.Parse(top.Bytes, top.ContentType)];
        }
        var manifests = new List<ImageManifest>();
        foreach (var entry in ImageIndex.Parse(top.Bytes, top.ContentType).Manifests.Where(m => MediaTypes.IsManifest(m.MediaType)).Take(MaxManifests))
        {
            if (await _registry.GetManifestAsync(_repository, entry.Digest.ToString(), cancellationToken).ConfigureAwait(false) is { } content)
            {
                manifests.Add(ImageManifest.Parse(content.Bytes, content.ContentType ?? entry.MediaType));
            }
        }
        return manifests;
    }

    /// <summary>What the image records: its app layers by input key, and its native checks by key.</summary>
    private sealed record Recorded(IReadOnlyDictionary<Digest, Layer> Layers, IReadOnlyDictionary<Digest, NativeCheckResult> NativeChecks);

    /// <summary>Anything but the publish being cancelled: the cache is an optimisation, and its failure is a miss.</summary>
    private static bool IsReadFailure(Exception e, CancellationToken cancellationToken)
        => !(e is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
