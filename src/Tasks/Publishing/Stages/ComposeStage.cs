using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;

namespace Containers.Build.Publishing.Stages;

/// <summary>Stage 4: each platform's image (config, manifest) from its base and its layers, and the index over them for several platforms.</summary>
public static class ComposeStage
{
    /// <param name="imported">For each platform, the layers ContainerLayer items take from other images; null for none.</param>
    /// <param name="foundIn">Where the layers found by key are (the destination registry's image); null when none was looked for.</param>
    /// <param name="nativeChecks">For each platform, its native check's result, recorded in its history; null for none.</param>
    public static ImageSet Compose(IReadOnlyList<BaseImage> bases, LayerPlan plan, IReadOnlyDictionary<PlannedLayer, CachedLayer> written,
        ImageSettings settings, IReadOnlyList<PlatformPublish> platforms, bool isMultiPlatform, IReadOnlyList<IReadOnlyList<ImportedLayer>>? imported = null,
        RegistryLayerIndex? foundIn = null, IReadOnlyList<Native.NativeCheckResult?>? nativeChecks = null)
    {
        settings = settings with { Format = ChooseFormat(settings.Format, bases, platforms) };
        var images = new List<BuiltImage>();
        for (var i = 0; i < platforms.Count; i++)
        {
            var newLayers = plan.ByPlatform[i].Select(planned => NewLayerOf(planned, written[planned], settings, foundIn)).ToArray();
            images.Add(ImageBuilder.Build(bases[i], newLayers, settings, platforms[i].Platform, imported?[i], nativeChecks?[i]));
        }
        return isMultiPlatform
            ? new ImageSet(images, ImageIndex.Create(settings.Format!.Value, images.Select(image => (image.Manifest, image.Platform)).ToArray(),
                ImageAnnotations.For(bases[0], settings, settings.Format!.Value)))
            : ImageSet.Single(images[0]);
    }

    private static NewLayer NewLayerOf(PlannedLayer planned, CachedLayer layer, ImageSettings settings, RegistryLayerIndex? foundIn)
        => new(layer.Layer, planned.Comment(settings.WorkingDirectory), layer.Key,
            layer.FoundByKey ? (foundIn ?? throw new InvalidOperationException("A layer found by key with no registry it was found in.")).LayerOf(layer.Layer) : null);

    /// <summary>
    /// The manifest format: ContainerImageFormat when set, else the base's. A multi-platform base whose
    /// platforms are in different formats cannot give one index a format by itself.
    /// </summary>
    private static ImageFormat ChooseFormat(ImageFormat? chosen, IReadOnlyList<BaseImage> bases, IReadOnlyList<PlatformPublish> platforms)
    {
        if (chosen is { } format)
        {
            return format;
        }
        var formats = bases.Select(b => b.Manifest.Format).Distinct().ToArray();
        if (formats.Length > 1)
        {
            throw new BaseImageFormatsMixedException(bases[0].DisplayName, bases.Select((b, i) => (platforms[i].Platform, b.Manifest.Format)).ToArray());
        }
        return formats[0];
    }
}
