using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Images;

/// <summary>
/// Reads a base image from what <c>docker save</c> and <c>podman save</c> write: a file (<c>docker-archive:PATH[:NAME:TAG]</c>,
/// gzipped or not), or an engine's save as it streams out (<see cref="EngineImageSource"/>). manifest.json names each
/// image's config and its layers, which are uncompressed tars. The config is checked against its digest (its name) and
/// each layer against its diff_id; layers are gzipped once (<see cref="GzippedBaseLayers"/>). The base's manifest is made
/// here, in the Docker format of the archive's config; its digest is the base.digest label.
/// </summary>
public static class DockerArchiveSource
{
    private const long SmallEntryLimit = 4 * 1024 * 1024;

    /// <summary>A file, read twice: once for its JSON documents, once for the layers no earlier build gzipped.</summary>
    public static async Task<IReadOnlyList<BaseImage>> ResolveAsync(DockerArchiveLocation location, IReadOnlyList<Platform> platforms, ContentStore store, CancellationToken cancellationToken)
    {
        var input = new DockerArchiveInput(location.Written, location.File, location.Name);
        var source = location.Written;
        if (!File.Exists(location.File))
        {
            throw new BaseImageFileException(BaseImageFileFailure.Missing, source,
                Directory.Exists(location.File)
                    ? $"The base image {source} names {location.File}, which is a directory, not an archive."
                    : $"The base image {source} names the file {location.File}, which does not exist.");
        }

        var entries = new ArchiveContents();
        await ArchiveEntries.ReadAsync(location.File, source, async (name, entry) =>
        {
            if (entry.Length <= SmallEntryLimit && IsDocumentOrBlob(name))
            {
                entries.Small[name] = await ArchiveEntries.ReadAllAsync(entry.DataStream!, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken, entries.AddLink).ConfigureAwait(false);
        var (configBytes, config, layerNames) = ReadImage(input, entries, platforms);
        var diffIds = config.DiffIds;

        // Layers already gzipped by an earlier build are known by their diff_id; the others are read in one pass.
        var layers = new Descriptor?[diffIds.Count];
        var needed = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < diffIds.Count; i++)
        {
            layers[i] = GzippedBaseLayers.Remembered(store, diffIds[i]);
            if (layers[i] is null)
            {
                var name = entries.Follow(layerNames[i]);
                (needed.TryGetValue(name, out var indexes) ? indexes : needed[name] = []).Add(i);
            }
        }
        if (needed.Count > 0)
        {
            await ArchiveEntries.ReadAsync(location.File, source, async (name, entry) =>
            {
                if (needed.Remove(name, out var indexes))
                {
                    await using var gzipped = await GzippedBaseLayers.GzipAsync(entry.DataStream!, store, source, $"{name} in {location.File}", cancellationToken).ConfigureAwait(false);
                    var descriptor = KeepIfNamed(input, name, gzipped, diffIds[indexes[0]], store);
                    indexes.ForEach(i => layers[i] = descriptor);
                }
            }, cancellationToken).ConfigureAwait(false);
            if (needed.Keys.FirstOrDefault() is { } absent)
            {
                throw new BaseImageFileException(BaseImageFileFailure.Missing, source, $"The base image {source} lists the layer {absent}, which {location.File} does not hold.");
            }
        }
        return Assemble(input, configBytes, config, layers.Select(l => l!).ToArray(), store, platforms);
    }

    /// <summary>
    /// An archive being written by someone else (an engine's save, which cannot be read twice), in one pass: each
    /// layer is gzipped as it goes by (or only hashed, when an earlier build gzipped a tar of that name's diff_id),
    /// and kept once the config, which comes after the layers, says which of them the image has.
    /// </summary>
    internal static async Task<IReadOnlyList<BaseImage>> ResolveStreamAsync(Stream archive, DockerArchiveInput input, IReadOnlyList<Platform> platforms, ContentStore store, CancellationToken cancellationToken)
    {
        var entries = new ArchiveContents();
        var gzipped = new Dictionary<string, GzippedLayer>(StringComparer.Ordinal);
        var hashed = new Dictionary<string, Digest>(StringComparer.Ordinal);
        try
        {
            await ArchiveEntries.ReadAsync(archive, input.Source, input.Describe, async (name, entry) =>
            {
                if (entry.Length <= SmallEntryLimit)
                {
                    entries.Small[name] = await ArchiveEntries.ReadAllAsync(entry.DataStream!, cancellationToken).ConfigureAwait(false);
                }
                else if (HexIn(name) is { } hex && GzippedBaseLayers.Remembered(store, Digest.Parse("sha256:" + hex)) is not null)
                {
                    hashed[name] = await GzippedBaseLayers.HashAsync(entry.DataStream!, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var layer = await GzippedBaseLayers.GzipAsync(entry.DataStream!, store, input.Source, $"{name} of {input.Describe}", cancellationToken).ConfigureAwait(false);
                    // A name the archive holds twice: the later entry is the one a reader would see.
                    if (gzipped.Remove(name, out var earlier))
                    {
                        await earlier.DisposeAsync().ConfigureAwait(false);
                    }
                    gzipped[name] = layer;
                }
            }, cancellationToken, entries.AddLink).ConfigureAwait(false);

            var (configBytes, config, layerNames) = ReadImage(input, entries, platforms);
            var layers = new Descriptor[config.DiffIds.Count];
            for (var i = 0; i < layers.Length; i++)
            {
                var diffId = config.DiffIds[i];
                var name = entries.Follow(layerNames[i]);
                if (hashed.TryGetValue(name, out var actual))
                {
                    layers[i] = actual == diffId && GzippedBaseLayers.Remembered(store, diffId) is { } remembered ? remembered : throw Mismatch(input, name, actual, diffId);
                }
                else if (gzipped.Remove(name, out var layer))
                {
                    await using (layer)
                    {
                        layers[i] = KeepIfNamed(input, name, layer, diffId, store);
                    }
                }
                else if (entries.Small.TryGetValue(name, out var small))
                {
                    await using var layer2 = await GzippedBaseLayers.GzipAsync(new MemoryStream(small, writable: false), store, input.Source, $"{name} of {input.Describe}", cancellationToken).ConfigureAwait(false);
                    layers[i] = KeepIfNamed(input, name, layer2, diffId, store);
                }
                else
                {
                    // Named twice in the image (the same layer at two places): the first kept it.
                    layers[i] = GzippedBaseLayers.Remembered(store, diffId)
                        ?? throw new BaseImageFileException(BaseImageFileFailure.Missing, input.Source, $"The base image {input.Source} lists the layer {name}, which {input.Describe} does not hold.");
                }
            }
            return Assemble(input, configBytes, config, layers, store, platforms);
        }
        finally
        {
            // The layers of other images in the archive, or of a failed read: nothing is kept.
            foreach (var unused in gzipped.Values)
            {
                await unused.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static bool IsDocumentOrBlob(string name)
        => name == "manifest.json" || name.EndsWith(".json", StringComparison.Ordinal) || name.StartsWith("blobs/", StringComparison.Ordinal);

    /// <summary>The chosen image's config (checked against its digest and the platforms) and the names of its layers.</summary>
    private static (byte[] ConfigBytes, ImageConfig Config, IReadOnlyList<string> LayerNames) ReadImage(DockerArchiveInput input, ArchiveContents entries, IReadOnlyList<Platform> platforms)
    {
        var source = input.Source;
        if (!entries.Small.TryGetValue("manifest.json", out var manifestJson))
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source,
                $"The base image {source} names {input.Describe}, which is not a docker-archive (it has no manifest.json at its top).");
        }
        var (configName, layerNames) = ChooseImage(input, manifestJson);
        configName = entries.Follow(configName);
        var configBytes = entries.Small.TryGetValue(configName, out var found) ? found
            : throw new BaseImageFileException(BaseImageFileFailure.Missing, source, $"The base image {source} names the config {configName}, which {input.Describe} does not hold.");
        var configDigest = Digest.Compute(configBytes);
        if (HexIn(configName) is { } named && named != configDigest.Hex)
        {
            throw new BaseImageFileException(BaseImageFileFailure.DigestMismatch, source,
                $"The config {configName} of the base image {source} does not match its digest: it has digest {configDigest}.", digest: Digest.Parse("sha256:" + named));
        }
        var config = ParseConfig(input, configBytes, platforms);
        if (config.DiffIds.Count != layerNames.Count)
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source,
                $"The base image {source} lists {layerNames.Count} layers in manifest.json but its config has {config.DiffIds.Count} diff_ids.");
        }
        return (configBytes, config, layerNames.Select(ArchiveEntries.Normalize).ToArray());
    }

    /// <summary>
    /// The image of a config whose every layer an earlier build gzipped (an engine's image that did not change), with
    /// nothing read from the archive; null when one of them is not remembered.
    /// </summary>
    internal static IReadOnlyList<BaseImage>? FromRememberedLayers(DockerArchiveInput input, byte[] configBytes, IReadOnlyList<Platform> platforms, ContentStore store)
    {
        var config = ParseConfig(input, configBytes, platforms);
        var layers = config.DiffIds.Select(diffId => GzippedBaseLayers.Remembered(store, diffId)).ToArray();
        return layers.All(l => l is not null) ? Assemble(input, configBytes, config, layers!, store, platforms) : null;
    }

    private static ImageConfig ParseConfig(DockerArchiveInput input, byte[] configBytes, IReadOnlyList<Platform> platforms)
    {
        var source = input.Source;
        ImageConfig config;
        try
        {
            config = ImageConfig.Parse(configBytes);
        }
        catch (Exception e) when (e is InvalidContentException or System.Text.Json.JsonException)
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source, $"The base image {source} could not be read: {e.Message}");
        }
        var offered = new Platform(config.Os ?? "linux", config.Architecture ?? "unknown");
        if (platforms.FirstOrDefault(p => !p.IsSatisfiedBy(offered)) is { } lacking)
        {
            throw new BaseImageFileException(BaseImageFileFailure.PlatformMissing, source,
                $"The base image {source} has no {lacking} variant; it offers {offered}.", [offered.ToString()]);
        }
        return config;
    }

    /// <summary>Keeps a gzipped layer when its tar is the one the config names; nothing is stored otherwise.</summary>
    private static Descriptor KeepIfNamed(DockerArchiveInput input, string name, GzippedLayer layer, Digest diffId, ContentStore store)
        => layer.DiffId == diffId ? GzippedBaseLayers.Keep(store, layer) : throw Mismatch(input, name, layer.DiffId, diffId);

    private static BaseImageFileException Mismatch(DockerArchiveInput input, string name, Digest actual, Digest diffId)
        => new(BaseImageFileFailure.DigestMismatch, input.Source,
            $"The layer {name} of the base image {input.Source} ({input.Describe}) does not match its diff_id: it has digest {actual}, the config says {diffId}.", digest: diffId);

    private static IReadOnlyList<BaseImage> Assemble(DockerArchiveInput input, byte[] configBytes, ImageConfig config, IReadOnlyList<Descriptor> layers, ContentStore store, IReadOnlyList<Platform> platforms)
    {
        var configDigest = Digest.Compute(configBytes);
        if (!store.Contains(configDigest))
        {
            // Kept so that the next read of an unchanged engine image needs only its config digest.
            store.WriteBytes(configBytes, configDigest);
        }
        var manifest = ImageManifest.Create(ImageFormat.Docker, new Descriptor(MediaTypes.DockerConfig, configDigest, configBytes.Length), layers);
        var baseLayers = layers.Select(d => (ImageLayer)new FileBaseLayer(d, store.PathOf(d.Digest), input.Source, store)).ToArray();
        var image = new BaseImage(null, manifest, config, manifest.Digest, baseLayers) { SourceName = input.Source };
        return platforms.Select(_ => image).ToArray();
    }

    /// <summary>The image manifest.json names: the one tagged NAME:TAG (compared as references, so docker.io/library/x:1 is x:1), or its only image.</summary>
    private static (string Config, IReadOnlyList<string> Layers) ChooseImage(DockerArchiveInput input, byte[] manifestJson)
    {
        var source = input.Source;
        JsonArray images;
        try
        {
            images = JsonNode.Parse(manifestJson) as JsonArray ?? throw new InvalidContentException("manifest.json is not an array.");
        }
        catch (Exception e) when (e is InvalidContentException or System.Text.Json.JsonException)
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source, $"The base image {source} has an unreadable manifest.json: {e.Message}");
        }
        var entries = images.OfType<JsonObject>().Select(image => (
            Config: image["Config"]?.GetValue<string>(),
            Tags: (image["RepoTags"] as JsonArray)?.Select(t => t?.GetValue<string>()).OfType<string>().ToArray() ?? [],
            Layers: (image["Layers"] as JsonArray)?.Select(l => l?.GetValue<string>()).OfType<string>().ToArray() ?? [])).ToArray();
        var tags = entries.SelectMany(e => e.Tags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

        (string? Config, string[] Tags, string[] Layers) chosen;
        if (input.Name is { } wanted)
        {
            var key = Canonical(wanted);
            chosen = entries.FirstOrDefault(e => e.Tags.Any(t => t == wanted || Canonical(t) == key));
            if (chosen.Config is null)
            {
                throw new BaseImageFileException(BaseImageFileFailure.TagNotFound, source,
                    $"The docker-archive {input.Describe} has no image tagged '{wanted}'; {(tags.Length == 0 ? "its images have no tags" : "it has " + string.Join(", ", tags))}.", tags);
            }
        }
        else if (entries.Length == 1)
        {
            chosen = entries[0];
        }
        else
        {
            throw new BaseImageFileException(entries.Length == 0 ? BaseImageFileFailure.Invalid : BaseImageFileFailure.TagRequired, source,
                entries.Length == 0
                    ? $"The docker-archive {input.Describe} holds no image."
                    : $"The docker-archive {input.Describe} holds {entries.Length} images; name one with docker-archive:PATH:NAME:TAG, where NAME:TAG is one of {(tags.Length == 0 ? "(none are tagged)" : string.Join(", ", tags))}.",
                tags);
        }
        if (chosen.Config is null)
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source, $"The base image {source}: manifest.json names no Config for the image.");
        }
        return (ArchiveEntries.Normalize(chosen.Config), chosen.Layers);
    }

    private static string Canonical(string name)
    {
        try
        {
            return ImageReference.Parse(name).ToString();
        }
        catch (InvalidReferenceException)
        {
            return name;
        }
    }

    /// <summary>The sha256 a name carries (<c>&lt;hex&gt;.json</c>, <c>blobs/sha256/&lt;hex&gt;</c>), if any.</summary>
    internal static string? HexIn(string name)
    {
        var file = Path.GetFileName(name);
        var stem = file.EndsWith(".json", StringComparison.Ordinal) ? file[..^5] : file;
        return stem.Length == 64 && stem.All(char.IsAsciiHexDigitLower) ? stem : null;
    }
}

/// <summary>A docker-archive as the messages name it: ContainerBaseImage as written, the file (or the engine command), and the NAME:TAG asked for.</summary>
internal sealed record DockerArchiveInput(string Source, string Describe, string? Name);

/// <summary>What one pass over a docker-archive kept: its small entries (documents, configs, small layers) and its links.</summary>
internal sealed class ArchiveContents
{
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);

    public Dictionary<string, byte[]> Small { get; } = new(StringComparer.Ordinal);

    public void AddLink(string name, string target) => _links[name] = target;

    /// <summary>The entry a name ends at after its links (docker save links each layer.tar to one file; a few hops at most).</summary>
    public string Follow(string name)
    {
        for (var hops = 0; hops < 8 && _links.TryGetValue(name, out var target); hops++)
        {
            name = target;
        }
        return name;
    }
}
