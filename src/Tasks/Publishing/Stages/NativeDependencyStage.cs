using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Native;

namespace Containers.Build.Publishing.Stages;

/// <summary>
/// Stage 4b: will the app's native files load in the image? For every ELF file in the app's layers (native NuGet
/// assets, a self-contained or Native AOT executable), its interpreter and DT_NEEDED libraries are looked for in the
/// image: the base's and imported layers' file lists (each listed once per layer digest and kept in the content
/// store), the app's own layers, <c>$ORIGIN</c>, its run paths and the image's LD_LIBRARY_PATH. An app with no ELF file
/// it would run costs nothing: no base layer is read.
/// </summary>
public static class NativeDependencyStage
{
    /// <param name="skipped">Hears of an image that could not be checked (a base layer it could not read).</param>
    public static async Task<IReadOnlyList<NativeDependencyReport>> CheckAsync(ImageSet images, LayerPlan plan, ContentStore store, CancellationToken cancellationToken,
        Action<Platform, string>? skipped = null)
    {
        var reports = new List<NativeDependencyReport>();
        for (var i = 0; i < images.Images.Count; i++)
        {
            var image = images.Images[i];
            var appLayers = plan.ByPlatform[i];
            var appFiles = RunnableElfFiles(appLayers, image.Config);
            if (appFiles.Count == 0)
            {
                continue;
            }
            var lists = new List<IReadOnlyList<LayerPath>>();
            foreach (var layer in image.Layers.Where(l => l.Origin != LayerOrigin.App))
            {
                try
                {
                    lists.Add(await LayerFileList.ReadAsync(layer.Descriptor.Digest, layer.GetFileAsync, store, cancellationToken).ConfigureAwait(false));
                }
                catch (UnreadableLayerException)
                {
                    // A layer this version cannot list (zstd, say) leaves the image unknown: no check rather than a wrong one.
                    lists = null;
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A base layer that cannot be fetched (a registry that refuses blobs it would have mounted): the check is
                    // advice, so it is skipped, and said; the publish does not depend on it.
                    skipped?.Invoke(image.Platform, $"the layer {layer.Descriptor.Digest} could not be read ({e.Message}).");
                    lists = null;
                    break;
                }
            }
            if (lists is null)
            {
                continue;
            }
            lists.AddRange(appLayers.Select(layer => (IReadOnlyList<LayerPath>)layer.Entries.Select(ToLayerPath).ToArray()));
            var ldLibraryPath = image.Config.Environment.GetValueOrDefault("LD_LIBRARY_PATH")?.Split(':', StringSplitOptions.RemoveEmptyEntries) ?? [];
            var findings = NativeDependencyCheck.Check(appFiles, ImageFileSystem.From(lists), image.Platform.Architecture, ldLibraryPath);
            if (findings.Count > 0)
            {
                reports.Add(new NativeDependencyReport(image.Platform, image.Base.IsScratch ? "scratch" : image.Base.DisplayName, findings));
            }
        }
        return reports;
    }

    /// <summary>
    /// The app's ELF files that will be loaded: every library, and every program but an apphost that the image does
    /// not run (a framework-dependent app started as <c>dotnet app.dll</c> ships its apphost, <c>app</c>, unused).
    /// </summary>
    private static IReadOnlyList<(string ImagePath, ElfFile Elf)> RunnableElfFiles(IReadOnlyList<PlannedLayer> layers, ImageConfig config)
    {
        var files = layers.SelectMany(l => l.Entries).Where(e => e.Kind == LayerEntryKind.File).ToArray();
        var paths = files.Select(f => f.ContainerPath).ToHashSet(StringComparer.Ordinal);
        var process = config.Process;
        var elfFiles = new List<(string, ElfFile)>();
        foreach (var file in files)
        {
            ElfFile? elf;
            using (var content = file.OpenContent())
            {
                elf = ElfFile.TryRead(content);
            }
            if (elf is null)
            {
                continue;
            }
            var imagePath = "/" + file.ContainerPath;
            var isProgram = elf.Type == ElfType.Executable || elf.Interpreter is not null;
            if (isProgram && paths.Contains(file.ContainerPath + ".dll") && !process.Contains(imagePath, StringComparer.Ordinal))
            {
                continue;
            }
            elfFiles.Add((imagePath, elf));
        }
        return elfFiles;
    }

    private static LayerPath ToLayerPath(LayerEntry entry) => entry.Kind switch
    {
        LayerEntryKind.Directory => new LayerPath(entry.ContainerPath, LayerPathKind.Directory),
        LayerEntryKind.Symlink => new LayerPath(entry.ContainerPath, LayerPathKind.Symlink, entry.LinkTarget),
        _ => new LayerPath(entry.ContainerPath, LayerPathKind.File),
    };
}

/// <summary>One platform image's native files that will not load, and the base they were checked against.</summary>
public sealed record NativeDependencyReport(Platform Platform, string BaseImage, IReadOnlyList<NativeDependencyFinding> Findings);
