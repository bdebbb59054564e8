using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Native;

namespace Containers.Build.Publishing.Stages;

/// <summary>
/// Stage 4b, run while the layers are written: will the app's native files load in the image? For every ELF file in
/// the app's layers (native NuGet assets, a self-contained or Native AOT executable), its interpreter and DT_NEEDED
/// libraries are looked for in the image: the base's and imported layers' file lists (each listed once per layer
/// digest and kept in the content store), the app's own layers, <c>$ORIGIN</c>, its run paths and the image's
/// LD_LIBRARY_PATH. None of that needs the app's layers written: their files are the plan's, and the command and
/// environment are the settings' over the base's. An app with no ELF file it would run costs nothing: no base layer is
/// read, and the base is not even waited for. What a check finds is recorded in the image, and a runner with no file
/// lists of the base's layers takes that record from the image its tag already names when the key is the same.
/// </summary>
public static class NativeDependencyStage
{
    /// <param name="platforms">Each platform's, in the plan's order.</param>
    /// <param name="settings">The image's settings: its command and environment over the base's, as the image's config will have them.</param>
    /// <param name="recordedIn">
    /// The image the tag already names in the destination registry, whose history may record a check with the
    /// same key (<see cref="NativeCheckRecord"/>): asked only when a base layer's file list is not in the store, which
    /// is what spares a fresh runner the base's download.
    /// </param>
    public static async Task<NativeCheckOutcome> CheckAsync(LayerPlan plan, IReadOnlyList<Platform> platforms, ImageSettings settings,
        Task<IReadOnlyList<BaseImage>> bases, Task<IReadOnlyList<IReadOnlyList<ImportedLayer>>> imports, ContentStore store,
        RegistryLayerIndex? recordedIn, CancellationToken cancellationToken)
    {
        var elfFiles = ScanElfFiles(plan);
        if (elfFiles.Count == 0)
        {
            return new NativeCheckOutcome([], new NativeCheckResult?[platforms.Count], 0, []);
        }
        var baseImages = await bases.ConfigureAwait(false);
        var imported = await imports.ConfigureAwait(false);
        // Each platform's base layers are read side by side with the others' (a layer two platforms share, once); the
        // outcomes are then taken in order.
        var listings = new System.Collections.Concurrent.ConcurrentDictionary<Digest, Lazy<Task<IReadOnlyList<LayerPath>>>>();
        Task<IReadOnlyList<LayerPath>> List(ImageLayer layer)
            => listings.GetOrAdd(layer.Descriptor.Digest, digest => new(() => LayerFileList.ReadAsync(digest, layer.GetFileAsync, store, cancellationToken))).Value;
        var checks = Enumerable.Range(0, platforms.Count)
            .Select(i => CheckPlatformAsync(plan.ByPlatform[i], platforms[i], baseImages[i], imported.ElementAtOrDefault(i) ?? [], settings, elfFiles, store, recordedIn, List))
            .ToArray();
        await Task.WhenAll(checks.Select(SettledTask.Of)).ConfigureAwait(false);
        var outcomes = new PlatformCheck[checks.Length];
        for (var i = 0; i < checks.Length; i++)
        {
            outcomes[i] = await checks[i].ConfigureAwait(false);
        }
        return new NativeCheckOutcome(
            outcomes.Select(o => o.Report).OfType<NativeDependencyReport>().ToArray(),
            outcomes.Select(o => o.Result).ToArray(),
            outcomes.Count(o => o.TakenFromRegistry),
            outcomes.Where(o => o.SkippedBecause is not null).Select(o => new NativeCheckSkip(o.Platform, o.SkippedBecause!)).ToArray());
    }

    /// <summary>One platform's check: its result (none when it had nothing to check or could not), its report when something will not load.</summary>
    private sealed record PlatformCheck(Platform Platform, NativeCheckResult? Result = null, NativeDependencyReport? Report = null,
        bool TakenFromRegistry = false, string? SkippedBecause = null);

    /// <param name="list">A layer's file list, read once however many platforms ask.</param>
    private static async Task<PlatformCheck> CheckPlatformAsync(IReadOnlyList<PlannedLayer> appLayers, Platform platform, BaseImage baseImage,
        IReadOnlyList<ImportedLayer> imported, ImageSettings settings, IReadOnlyDictionary<LayerEntry, ElfFile> elfFiles, ContentStore store,
        RegistryLayerIndex? recordedIn, Func<ImageLayer, Task<IReadOnlyList<LayerPath>>> list)
    {
        // The config as the image will have it, but for the app's own layers: its diff_ids are then the base's and the imported layers'.
        var config = ImageBuilder.ComposeConfig(baseImage, [], settings, imported);
        var appFiles = RunnableElfFiles(appLayers, config, elfFiles);
        if (appFiles.Count == 0)
        {
            return new PlatformCheck(platform);
        }
        var otherLayers = baseImage.Layers.Concat(imported).ToArray();
        var key = NativeCheckRecord.KeyOf(config, platform, config.DiffIds, appLayers, appFiles);
        var baseName = baseImage.IsScratch ? "scratch" : baseImage.DisplayName;
        if (recordedIn is not null
            && !otherLayers.All(layer => LayerFileList.IsRecorded(layer.Descriptor.Digest, store))
            && await recordedIn.RecordedNativeCheckAsync(key).ConfigureAwait(false) is { } recorded)
        {
            return new PlatformCheck(platform, recorded, recorded.Findings.Count > 0 ? new NativeDependencyReport(platform, baseName, recorded.Findings) : null, TakenFromRegistry: true);
        }
        // The layers side by side (each a download and an inflate), then their outcomes in order.
        var reads = otherLayers.Select(list).ToArray();
        await Task.WhenAll(reads.Select(SettledTask.Of)).ConfigureAwait(false);
        var lists = new List<IReadOnlyList<LayerPath>>();
        for (var layer = 0; layer < reads.Length; layer++)
        {
            try
            {
                lists.Add(await reads[layer].ConfigureAwait(false));
            }
            catch (UnreadableLayerException)
            {
                // A layer this version cannot list (bzip2, say) leaves the image unknown: no check rather than a wrong one.
                return new PlatformCheck(platform);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A base layer that cannot be fetched (a registry that refuses blobs it would have mounted): the check is
                // advice, so it is skipped, and said; the publish does not depend on it.
                return new PlatformCheck(platform, SkippedBecause: $"the layer {otherLayers[layer].Descriptor.Digest} could not be read ({e.Message}).");
            }
        }
        lists.AddRange(appLayers.Select(layer => (IReadOnlyList<LayerPath>)layer.Entries.Select(ToLayerPath).ToArray()));
        var ldLibraryPath = config.Environment.GetValueOrDefault("LD_LIBRARY_PATH")?.Split(':', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var findings = NativeDependencyCheck.Check(appFiles, ImageFileSystem.From(lists), platform.Architecture, ldLibraryPath);
        return new PlatformCheck(platform, new NativeCheckResult(key, findings), findings.Count > 0 ? new NativeDependencyReport(platform, baseName, findings) : null);
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

    // Asked by span: an extension string per file is 1.6 MB of garbage on a folder of 50,000 files.
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> NeverElfExtension = NeverElf.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The ELF files among the plan's files (each read once, however many platforms share its layer), by entry.</summary>
    public static IReadOnlyDictionary<LayerEntry, ElfFile> ScanElfFiles(LayerPlan plan)
    {
        var elfFiles = new Dictionary<LayerEntry, ElfFile>(ReferenceEqualityComparer.Instance);
        var files = plan.ByPlatform.SelectMany(layers => layers).Distinct(ReferenceEqualityComparer.Instance).Cast<PlannedLayer>()
            .SelectMany(layer => layer.Entries).Where(entry => entry.Kind == LayerEntryKind.File && !NeverElfExtension.Contains(Path.GetExtension(entry.ContainerPath.AsSpan())));
        using var reader = FileReadStream.Reusable();
        foreach (var file in files)
        {
            using var content = file.OpenContent(reader);
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
        var files = layers.SelectMany(l => l.Entries).Where(e => e.Kind == LayerEntryKind.File);
        // The assemblies' paths, gathered when the first program asks whether it is an apphost: a set of every file's path
        // had been 3 MB of garbage on a folder of 50,000 files.
        HashSet<string>? assemblies = null;
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
            if (isProgram && (assemblies ??= files.Select(f => f.ContainerPath).Where(p => p.EndsWith(".dll", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal))
                    .Contains(file.ContainerPath + ".dll")
                && !process.Contains(imagePath, StringComparer.Ordinal))
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
        _ => new LayerPath(entry.ContainerPath, LayerPathKind.File) { Text = LoaderConfiguration.TextOf(entry) },
    };
}

/// <summary>One platform image's native files that will not load, and the base they were checked against.</summary>
public sealed record NativeDependencyReport(Platform Platform, string BaseImage, IReadOnlyList<NativeDependencyFinding> Findings);

/// <summary>
/// What the check found: the platform images with files that will not load; for each platform, its result (null when
/// it had nothing to check or could not be checked), which the image records; and how many results were the
/// registry's image's record rather than a check here; and the platforms that could not be checked, and why.
/// </summary>
public sealed record NativeCheckOutcome(IReadOnlyList<NativeDependencyReport> Reports, IReadOnlyList<NativeCheckResult?> Results, int TakenFromRegistry,
    IReadOnlyList<NativeCheckSkip> Skipped);

/// <summary>A platform image the native check could not check (a base layer it could not read), and why: said as a warning (CB4010).</summary>
public sealed record NativeCheckSkip(Platform Platform, string Reason);
