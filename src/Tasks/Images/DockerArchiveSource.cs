using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Images;

/// <summary>
/// Reads a base image from what <c>docker save</c> and <c>podman save</c> write (<c>docker-archive:PATH[:NAME:TAG]</c>),
/// gzipped or not: manifest.json names each image's config and its layers, which are uncompressed tars. The config
/// is checked against its digest (its name) and each layer against its diff_id. A layer is gzipped once, reproducibly
/// (the same compressor and level as the app's layers), into the content store, and remembered by its diff_id so
/// the next build neither reads nor compresses it again. The base's manifest is made here, in the Docker format of
/// the archive's config; its digest is the base.digest label.
/// </summary>
public static class DockerArchiveSource
{
    private const long SmallEntryLimit = 4 * 1024 * 1024;

    public static async Task<IReadOnlyList<BaseImage>> ResolveAsync(DockerArchiveLocation location, IReadOnlyList<Platform> platforms, ContentStore store, CancellationToken cancellationToken)
    {
        var source = location.Written;
        if (!File.Exists(location.File))
        {
            throw new BaseImageFileException(BaseImageFileFailure.Missing, source,
                Directory.Exists(location.File)
                    ? $"The base image {source} names {location.File}, which is a directory, not an archive."
                    : $"The base image {source} names the file {location.File}, which does not exist.");
        }

        var small = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        await ArchiveEntries.ReadAsync(location.File, source, async (name, entry) =>
        {
            if (entry.Length <= SmallEntryLimit && (name == "manifest.json" || name.EndsWith(".json", StringComparison.Ordinal) || name.StartsWith("blobs/", StringComparison.Ordinal)))
            {
                small[name] = await ArchiveEntries.ReadAllAsync(entry.DataStream!, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken, (name, target) => links[name] = target).ConfigureAwait(false);
        if (!small.TryGetValue("manifest.json", out var manifestJson))
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source,
                $"The base image {source} names {location.File}, which is not a docker-archive (it has no manifest.json at its top).");
        }

        var (configName, layerNames) = ChooseImage(location, manifestJson);
        string Follow(string name)
        {
            for (var hops = 0; hops < 8 && links.TryGetValue(name, out var target); hops++)
            {
                name = target;
            }
            return name;
        }
        configName = Follow(configName);
        var configBytes = small.TryGetValue(configName, out var found) ? found
            : throw new BaseImageFileException(BaseImageFileFailure.Missing, source, $"The base image {source} names the config {configName}, which {location.File} does not hold.");
        var configDigest = Digest.Compute(configBytes);
        if (HexIn(configName) is { } named && named != configDigest.Hex)
        {
            throw new BaseImageFileException(BaseImageFileFailure.DigestMismatch, source,
                $"The config {configName} of the base image {source} does not match its digest: it has digest {configDigest}.", digest: Digest.Parse("sha256:" + named));
        }
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
        var diffIds = config.DiffIds;
        if (diffIds.Count != layerNames.Count)
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source,
                $"The base image {source} lists {layerNames.Count} layers in manifest.json but its config has {diffIds.Count} diff_ids.");
        }

        // Layers already gzipped by an earlier build are known by their diff_id; the others are read in one pass.
        var layers = new Descriptor?[diffIds.Count];
        var needed = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < diffIds.Count; i++)
        {
            layers[i] = Remembered(store, diffIds[i]);
            if (layers[i] is null)
            {
                var name = Follow(ArchiveEntries.Normalize(layerNames[i]));
                (needed.TryGetValue(name, out var indexes) ? indexes : needed[name] = []).Add(i);
            }
        }
        if (needed.Count > 0)
        {
            await ArchiveEntries.ReadAsync(location.File, source, async (name, entry) =>
            {
                if (needed.Remove(name, out var indexes))
                {
                    var descriptor = await CompressAsync(source, location, name, entry.DataStream!, diffIds[indexes[0]], store, cancellationToken).ConfigureAwait(false);
                    indexes.ForEach(i => layers[i] = descriptor);
                }
            }, cancellationToken).ConfigureAwait(false);
            if (needed.Keys.FirstOrDefault() is { } absent)
            {
                throw new BaseImageFileException(BaseImageFileFailure.Missing, source, $"The base image {source} lists the layer {absent}, which {location.File} does not hold.");
            }
        }

        var descriptors = layers.Select(l => l!).ToArray();
        var manifest = ImageManifest.Create(ImageFormat.Docker, new Descriptor(MediaTypes.DockerConfig, configDigest, configBytes.Length), descriptors);
        var baseLayers = descriptors.Select(d => (ImageLayer)new FileBaseLayer(d, store.PathOf(d.Digest), source, store)).ToArray();
        var image = new BaseImage(null, manifest, config, manifest.Digest, baseLayers) { SourceName = source };
        return platforms.Select(_ => image).ToArray();
    }

    /// <summary>The image manifest.json names: the one tagged NAME:TAG (compared as references, so docker.io/library/x:1 is x:1), or its only image.</summary>
    private static (string Config, IReadOnlyList<string> Layers) ChooseImage(DockerArchiveLocation location, byte[] manifestJson)
    {
        var source = location.Written;
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
        if (location.Name is { } wanted)
        {
            var key = Canonical(wanted);
            chosen = entries.FirstOrDefault(e => e.Tags.Any(t => t == wanted || Canonical(t) == key));
            if (chosen.Config is null)
            {
                throw new BaseImageFileException(BaseImageFileFailure.TagNotFound, source,
                    $"The docker-archive {location.File} has no image tagged '{wanted}'; {(tags.Length == 0 ? "its images have no tags" : "it has " + string.Join(", ", tags))}.", tags);
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
                    ? $"The docker-archive {location.File} holds no image."
                    : $"The docker-archive {location.File} holds {entries.Length} images; name one with docker-archive:PATH:NAME:TAG, where NAME:TAG is one of {(tags.Length == 0 ? "(none are tagged)" : string.Join(", ", tags))}.",
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
    private static string? HexIn(string name)
    {
        var file = Path.GetFileName(name);
        var stem = file.EndsWith(".json", StringComparison.Ordinal) ? file[..^5] : file;
        return stem.Length == 64 && stem.All(char.IsAsciiHexDigitLower) ? stem : null;
    }

    private static string RecordPath(ContentStore store, Digest diffId) => Path.Combine(store.Root, "base-layers", diffId.Hex);

    /// <summary>The gzipped blob an earlier build made of this diff_id, when the store still has it.</summary>
    private static Descriptor? Remembered(ContentStore store, Digest diffId)
    {
        var record = RecordPath(store, diffId);
        if (!File.Exists(record))
        {
            return null;
        }
        var parts = File.ReadAllText(record).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2 && Digest.TryParse(parts[0], out var digest) && long.TryParse(parts[1], out var size) && store.Contains(digest)
            ? new Descriptor(MediaTypes.DockerLayerGzip, digest, size)
            : null;
    }

    /// <summary>
    /// Gzips one layer tar into the store, hashing the tar (it must be its diff_id) and the gzip (its digest) in the
    /// same pass; nothing is kept when the tar is not the one the config names.
    /// </summary>
    private static async Task<Descriptor> CompressAsync(string source, DockerArchiveLocation location, string name, Stream data, Digest diffId, ContentStore store, CancellationToken cancellationToken)
    {
        // The compressor gets the tar in whole buffers, whatever sizes the archive's reader returns (a gzipped archive
        // returns others than a plain one): deflate's output depends on how its input is cut.
        var buffer = new byte[1 << 16];
        var length = await data.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (length >= 2 && buffer[0] == 0x1f && buffer[1] == 0x8b)
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source,
                $"The layer {name} in {location.File} is compressed; a docker-archive holds uncompressed layer tars (as docker save and podman save write them).");
        }
        await using var blob = store.NewBlob(useAsync: true);
        var compressed = new HashingStream(blob.Stream, leaveOpen: true);
        var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true);
        var uncompressed = new HashingStream(gzip, leaveOpen: true);
        while (length > 0)
        {
            await uncompressed.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            length = await data.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }
        var actual = uncompressed.GetDigest();
        await gzip.DisposeAsync().ConfigureAwait(false);
        if (actual != diffId)
        {
            throw new BaseImageFileException(BaseImageFileFailure.DigestMismatch, source,
                $"The layer {name} of the base image {source} ({location.File}) does not match its diff_id: it has digest {actual}, the config says {diffId}.", digest: diffId);
        }
        var descriptor = new Descriptor(MediaTypes.DockerLayerGzip, compressed.GetDigest(), compressed.BytesWritten);
        store.Commit(blob, descriptor.Digest);
        var record = RecordPath(store, diffId);
        Directory.CreateDirectory(Path.GetDirectoryName(record)!);
        AtomicFile.WriteAllBytes(record, Encoding.UTF8.GetBytes($"{descriptor.Digest}\n{descriptor.Size}\n"));
        return descriptor;
    }
}
