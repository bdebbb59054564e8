using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Stages;

/// <summary>
/// Stage 1b: the layers ContainerLayer items take from other images, for every platform, read the way a base image
/// is (<see cref="BaseImageStage"/>: any source, mirrors, the push registry's client so they can be mounted there). A
/// multi-platform publish takes each platform's layers from the matching entry of the image's index. Nothing is
/// downloaded here: a layer's bytes are fetched only if a destination cannot mount them.
/// </summary>
public static class LayerImportStage
{
    /// <returns>For each platform, in order, the imported layers in item order.</returns>
    public static async Task<IReadOnlyList<IReadOnlyList<ImportedLayer>>> ResolveAsync(IReadOnlyList<LayerImport> imports, IReadOnlyList<Platform> platforms,
        RegistryMirrors mirrors, IReadOnlySet<RegistryHost> pushRegistries, RegistryClientFactory clients, ContentStore store, CancellationToken cancellationToken)
    {
        var byPlatform = platforms.Select(_ => new List<ImportedLayer>()).ToArray();
        foreach (var import in imports)
        {
            IReadOnlyList<BaseImage> images;
            try
            {
                images = await BaseImageStage.ResolveAsync(import.Image, platforms, mirrors, pushRegistries, clients, store, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new LayerImageException(import, e);
            }
            for (var i = 0; i < platforms.Count; i++)
            {
                byPlatform[i].AddRange(Select(import, images[i], platforms[i]));
            }
        }
        return byPlatform;
    }

    private static IEnumerable<ImportedLayer> Select(LayerImport import, BaseImage image, Platform platform)
    {
        var diffIds = image.Config.DiffIds;
        if (diffIds.Count != image.Layers.Count)
        {
            throw new LayerImageException(import, new InvalidContentException(
                $"its manifest lists {image.Layers.Count} layers but its config has {diffIds.Count} diff_ids."));
        }
        var from = $"{image.DisplayName}@{image.ResolvedDigest}";
        var layers = image.Layers.Select((layer, i) => new ImportedLayer(layer, diffIds[i], import, from)).ToArray();
        if (import.Digest is not { } wanted)
        {
            return layers;
        }
        // The blob's digest is what a manifest shows; the diff_id what 'podman inspect' and a config show. Either names it.
        var chosen = layers.FirstOrDefault(l => l.Descriptor.Digest == wanted || l.DiffId == wanted)
            ?? throw new ImportedLayerNotFoundException(import, platform, layers.Select(l => l.Descriptor.Digest).ToArray());
        return [chosen];
    }
}
