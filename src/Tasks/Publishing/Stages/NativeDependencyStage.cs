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
/// it would run costs nothing: no base layer is read. What a check finds is recorded in the image, and a runner with
/// no file lists of the base's layers takes that record from the image its tag already names when the key is the same.
/// </summary>
public static class NativeDependencyStage
{
    /// <param name="skipped">Hears of an image that could not be checked (a base layer it could not read).</param>
    /// <param name="recordedIn">
    /// The image the tag already names in the destination registry, whose history may record a check with the
    /// same key (<see cref="NativeCheckRecord"/>): asked only when a base layer's file list is not in the store, which
    /// is what spares a fresh runner the base's download.
    /// </param>
    /// <param name="elfFiles">The app's ELF files by planned entry (<see cref="ScanElfFiles"/>, done while the layers were written); null to look now.</param>
    public static async Task<NativeCheckOutcome> CheckAsync(ImageSet images, LayerPlan plan, ContentStore store, CancellationToken cancellationToken,
        Action<Platform, string>? skipped = null, RegistryLayerIndex? recordedIn = null, IReadOnlyDictionary<LayerEntry, ElfFile>? elfFiles = null)
    {
        elfFiles ??= ScanElfFiles(plan);
        var reports = new List<NativeDependencyReport>();
        var results = new NativeCheckResult?[images.Images.Count];
        var takenFromRegistry = 0;
        for (var i = 0; i < images.Images.Count; i++)
        {
            var image = images.Images[i];
            var appLayers = plan.ByPlatform[i];
            var appFiles = RunnableElfFiles(appLayers, image.Config, elfFiles);
            if (appFiles.Count == 0)
            {
                continue;
            }
            var otherLayers = image.Layers.Where(l => l.Origin != LayerOrigin.App).ToArray();
            // The config lists the layers' diff_ids in the manifest's order.
            var otherDiffIds = image.Layers.Select((layer, index) => (layer, index)).Where(l => l.layer.Origin != LayerOrigin.App).Select(l => image.Config.DiffIds[l.index]);
            var key = NativeCheckRecord.KeyOf(image.Config, image.Platform, otherDiffIds, appLayers, appFiles);
            var baseName = image.Base.IsScratch ? "scratch" : image.Base.DisplayName;
            if (recordedIn is not null
                && !otherLayers.All(layer => LayerFileList.IsRecorded(layer.Descriptor.Digest, store))
                && await recordedIn.RecordedNativeCheckAsync(key).ConfigureAwait(false) is { } recorded)
            {
                results[i] = recorded;
                takenFromRegistry++;
                if (recorded.Findings.Count > 0)
                {
                    reports.Add(new NativeDependencyReport(image.Platform, baseName, recorded.Findings));
                }
                continue;
            }
            // The layers side by side (each a download and an inflate), then their outcomes in order.
            var reads = otherLayers.Select(layer => LayerFileList.ReadAsync(layer.Descriptor.Digest, layer.GetFileAsync, store, cancellationToken)).ToArray();
            await Task.WhenAll(reads.Select(SettledTask.Of)).ConfigureAwait(false);
            List<IReadOnlyList<LayerPath>>? lists = [];
            for (var layer = 0; layer < reads.Length; layer++)
            {
                try
                {
                    lists.Add(await reads[layer].ConfigureAwait(false));
                }
                catch (UnreadableLayerException)
                {
                    // A layer this version cannot list (bzip2, say) leaves the image unknown: no check rather than a wrong one.
                    lists = null;
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A base layer that cannot be fetched (a registry that refuses blobs it would have mounted): the check is
                    // advice, so it is skipped, and said; the publish does not depend on it.
                    skipped?.Invoke(image.Platform, $"the layer {otherLayers[layer].Descriptor.Digest} could not be read ({e.Message}).");
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
                reports.Add(new NativeDependencyReport(image.Platform, baseName, findings));
            }
            results[i] = new NativeCheckResult(key, findings);
        }
        return new NativeCheckOutcome(reports, results, takenFromRegistry);
    }

    /// <summary>
    /// Extensions no file the dynamic loader loads has: IL assemblies and their symbols, and a site's content and its
    /// compressed copies. A publish folder of 150,000 static files is 150,000 opens (2.4 s here) to read 64 bytes each
    /// for nothing; native libraries are <c>lib*.so*</c> and programs have no extension.
    /// </summary>
    private static readonly HashSet<string> NeverElf = new(StringComparer.OrdinalIgnoreCase)
    {
        ".dll", ".pdb", ".xml", ".json", ".txt", ".md", ".config", ".resources", ".css", ".js", ".mjs", ".map", ".html", ".htm",
        ".svg", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".avif", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".gz", ".br",
        ".wasm", ".csv", ".yml", ".yaml",
    };

    /// <summary>The ELF files among the plan's files (each read once, however many platforms share its layer), by entry.</summary>
    public static IReadOnlyDictionary<LayerEntry, ElfFile> ScanElfFiles(LayerPlan plan)
    {
        var elfFiles = new Dictionary<LayerEntry, ElfFile>(ReferenceEqualityComparer.Instance);
        var files = plan.ByPlatform.SelectMany(layers => layers).Distinct(ReferenceEqualityComparer.Instance).Cast<PlannedLayer>()
            .SelectMany(layer => layer.Entries).Where(entry => entry.Kind == LayerEntryKind.File && !NeverElf.Contains(Path.GetExtension(entry.ContainerPath)));
        foreach (var file in files)
        {
            using var content = file.OpenContent();
            if (ElfFile.TryRead(content) is { } elf)
            {
                elfFiles[file] = elf;
            }
        }
        return elfFiles;
    }

    /// <summary>
    /// The app's ELF files that will be loaded: every library, and every program but an apphost that the image does
    /// not run (a framework-dependent app started as <c>dotnet app.dll</c> ships its apphost, <c>app</c>, unused).
    /// </summary>
    internal static IReadOnlyList<(string ImagePath, ElfFile Elf)> RunnableElfFiles(IReadOnlyList<PlannedLayer> layers, ImageConfig config,
        IReadOnlyDictionary<LayerEntry, ElfFile> elfFiles)
    {
        var files = layers.SelectMany(l => l.Entries).Where(e => e.Kind == LayerEntryKind.File).ToArray();
        var paths = files.Select(f => f.ContainerPath).ToHashSet(StringComparer.Ordinal);
        var process = config.Process;
        var runnable = new List<(string, ElfFile)>();
        foreach (var file in files)
        {
            if (!elfFiles.TryGetValue(file, out var elf))
            {
                continue;
            }
            var imagePath = "/" + file.ContainerPath;
            var isProgram = elf.Type == ElfType.Executable || elf.Interpreter is not null;
            if (isProgram && paths.Contains(file.ContainerPath + ".dll") && !process.Contains(imagePath, StringComparer.Ordinal))
            {
                continue;
            }
            runnable.Add((imagePath, elf));
        }
        return runnable;
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

/// <summary>
/// What the check found: the platform images with files that will not load; for each platform, its result (null when
/// it had nothing to check or could not be checked), which the image records; and how many results were the
/// registry's image's record rather than a check here.
/// </summary>
public sealed record NativeCheckOutcome(IReadOnlyList<NativeDependencyReport> Reports, IReadOnlyList<NativeCheckResult?> Results, int TakenFromRegistry);
