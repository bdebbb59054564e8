using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Native;

namespace Containers.Build.Publishing.Stages;

/// <summary>
/// The native check's slow part, started while the layers are written (<see cref="ImagePublisher"/>): which of the
/// app's files are ELF (each file's first bytes), and, for each platform where the image would load one (not an
/// apphost it does not run: the command is the settings' over the base's, as the image's config will have it), the
/// base's and imported layers' file lists, downloaded and listed into the store side by side with the compression, so
/// that the check finds them there. Not
/// when the store has them all, nor when the image the tag names in the registry records a check (its record may stand
/// for this one, and then nothing need be downloaded at all). Advice only: what fails here is left for the check to
/// meet again, and say.
/// </summary>
public static class NativeDependencyPrefetch
{
    /// <returns>The app's ELF files by planned entry (by reference), for <see cref="NativeDependencyStage.CheckAsync"/>.</returns>
    public static async Task<IReadOnlyDictionary<LayerEntry, ElfFile>> RunAsync(
        LayerPlan plan,
        ImageSettings settings,
        Task<IReadOnlyList<BaseImage>> bases,
        Task<IReadOnlyList<IReadOnlyList<ImportedLayer>>> imports,
        ContentStore store,
        RegistryLayerIndex? recordedIn,
        CancellationToken cancellationToken)
    {
        var elfFiles = NativeDependencyStage.ScanElfFiles(plan);
        if (elfFiles.Count == 0)
        {
            return elfFiles;
        }
        try
        {
            var baseImages = await bases.ConfigureAwait(false);
            var imported = await imports.ConfigureAwait(false);
            var checkedPlatforms = Enumerable.Range(0, baseImages.Count)
                .Where(i => NativeDependencyStage.RunnableElfFiles(plan.ByPlatform[i], ImageBuilder.ComposeConfig(baseImages[i], [], settings), elfFiles).Count > 0);
            var layers = checkedPlatforms.SelectMany(i => baseImages[i].Layers.Concat(imported.ElementAtOrDefault(i) ?? []))
                .Where(layer => !LayerFileList.IsRecorded(layer.Descriptor.Digest, store))
                .DistinctBy(layer => layer.Descriptor.Digest)
                .ToArray();
            if (layers.Length == 0 || (recordedIn is not null && await recordedIn.RecordsAnyNativeCheckAsync().ConfigureAwait(false)))
            {
                return elfFiles;
            }
            await Task.WhenAll(layers.Select(layer => ListAsync(layer, store, cancellationToken))).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The base's own failure is the publish's to report; the check reads again what it needs.
        }
        return elfFiles;
    }

    private static async Task ListAsync(ImageLayer layer, ContentStore store, CancellationToken cancellationToken)
    {
        try
        {
            await LayerFileList.ReadAsync(layer.Descriptor.Digest, layer.GetFileAsync, store, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Left for the check, which says why it could not check (CB4010) or that it cannot list this layer.
        }
    }
}
