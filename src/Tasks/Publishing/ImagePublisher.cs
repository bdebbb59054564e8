using System.Runtime.ExceptionServices;
using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Native;
using Containers.Build.Publishing.Destinations;
using Containers.Build.Publishing.Stages;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;

namespace Containers.Build.Publishing;

/// <summary>
/// The whole publish, in named stages: resolve the base and the ContainerLayer images and read the SBOM's build graph
/// (while the layers are planned and written), plan the layers, write them while checking that the app's native files
/// will load, compose each platform's image (and the index), attach its SBOM and provenance, send to every destination,
/// then record the facts. Each stage takes only what it uses; failures are typed exceptions for the task to explain.
/// </summary>
/// <param name="buildHasFailed">
/// Asked right before anything is sent: true once the build has logged an error (a warning treated as one
/// included). Then nothing is pushed, loaded or written, and no tag moves.
/// </param>
/// <param name="note">Low-importance messages (why the registry's layers could not be looked up by key): worth a log line, never a warning.</param>
public sealed class ImagePublisher(RegistryClientFactory clients, Action<PublishWarning> warn, Func<bool>? buildHasFailed = null, Action<string>? note = null)
{
    public async Task<PublishOutcome> PublishAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        var clock = new StageClock();
        var store = new ContentStore(request.ContentStoreDirectory, request.SharedCacheDirectory);
        var platforms = request.Platforms.Select(p => p.Platform).ToArray();
        // The base and the ContainerLayer images are read while the layers are planned and written. A failure on either
        // side stops the other (an engine's save of an image no longer wanted must not go on after the build).
        using var resolving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var basesTask = BaseImageStage.ResolveAsync(request.BaseImage, platforms, request.Mirrors, request.PushRegistries, clients, store, resolving.Token);
        var importsTask = LayerImportStage.ResolveAsync(request.LayerImports, platforms, request.Mirrors, request.PushRegistries, clients, store, resolving.Token);

        // What the SBOM reads of the build graph does not depend on the image: it is read while the layers are planned and written.
        var buildGraphs = Task.Run(() => SupplyChainStage.ReadBuildGraphs(request.Platforms, request.SupplyChain), cancellationToken);

        var foundIn = RegistryLayers(request, store, cancellationToken);
        if (foundIn is not null && !LayerCache.HasRecords(store))
        {
            // An empty store will ask the registry's image for every layer: read it while the layers are planned.
            _ = foundIn.HoldsAnyAsync();
        }
        LayerPlan plan;
        LayerOptions options;
        IReadOnlyDictionary<PlannedLayer, CachedLayer> written;
        IReadOnlyList<BaseImage> bases;
        IReadOnlyList<IReadOnlyList<ImportedLayer>> imported;
        NativeCheckOutcome? native = null;
        Task<NativeCheckOutcome>? nativeCheck = null;
        try
        {
            plan = LayerPlanStage.Plan(request.Platforms, request.Settings.WorkingDirectory, request.Layering, request.Settings.Created, cancellationToken, request.ExtraFiles);
            clock.Mark("layers planned");
            if (request.NativeDependencyCheck != NativeDependencyCheckMode.Off)
            {
                // The check needs the plan and the base, not the written layers: it runs (reading the app's ELF files and
                // the base's file lists) while the layers are compressed.
                var planned = plan;
                nativeCheck = Task.Run(() => NativeDependencyStage.CheckAsync(planned, platforms, request.Settings, basesTask, importsTask, store, foundIn, resolving.Token), resolving.Token);
            }
            options = await LayerOptionsAsync(request, basesTask).ConfigureAwait(false);
            var secrets = new SecretScan();
            written = await LayerWriteStage.WriteAsync(plan, options, store, request.Platforms.Select(p => p.PublishDirectory).ToArray(), cancellationToken, foundIn, secrets).ConfigureAwait(false);
            clock.Mark("layers written or found");
            if (secrets.Found is { Count: > 0 } secretLooking)
            {
                warn(new SecretLookingFilesWarning(secretLooking));
            }
            bases = await basesTask.ConfigureAwait(false);
            imported = await importsTask.ConfigureAwait(false);
            clock.Mark("base read");
            if (nativeCheck is not null)
            {
                native = await nativeCheck.ConfigureAwait(false);
                clock.Mark("native libraries checked");
            }
        }
        catch
        {
            await resolving.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(SettledTask.Of(basesTask), SettledTask.Of(importsTask), SettledTask.Of(nativeCheck ?? Task.CompletedTask), SettledTask.Of(buildGraphs)).ConfigureAwait(false);
            throw;
        }
        IReadOnlyList<NativeCheckResult?>? nativeChecks;
        ImageSet images;
        try
        {
            nativeChecks = ReportNativeCheck(native, request);
            images = ComposeStage.Compose(bases, plan, written, request.Settings, request.Platforms, request.IsMultiPlatform, imported, foundIn, nativeChecks);
        }
        catch
        {
            // The SBOM's reading is not left going after the publish has failed.
            await SettledTask.Of(buildGraphs).ConfigureAwait(false);
            throw;
        }
        var report = new LayerReport(written.Values.ToArray(), request.FilesLeftOut);

        var graphs = await buildGraphs.ConfigureAwait(false);
        images = SupplyChainStage.Attach(images, request.Platforms, request.Settings, request.SupplyChain, Repository(request), graphs);
        clock.Mark("SBOM and provenance");

        if (buildHasFailed?.Invoke() == true)
        {
            throw new PublishStoppedException();
        }
        var context = new DestinationContext(clients, report, warn);
        var results = new List<DestinationResult>();
        var failedRegistries = new List<RegistryPushFailure>();
        foreach (var destination in request.Destinations)
        {
            if (failedRegistries.Count > 0 && destination.PushesTo is null)
            {
                // As with one registry: after a failure no file is written and no engine loads the image. The other
                // registries still get it, each on its own: one registry's outage must not keep it from the rest.
                continue;
            }
            DestinationResult result;
            try
            {
                try
                {
                    result = await destination.SendAsync(images, request.Names, context, cancellationToken).ConfigureAwait(false);
                }
                catch (CorruptLayerException e)
                {
                    // A stored layer was found corrupt on the way out and dropped (nothing was committed with it): write
                    // the layers again (a dropped one misses the cache; the writer is reproducible, so it is the same
                    // layer) and send once more. A second corruption is not a cache problem and fails the build. The
                    // registry's layers are not looked up by key again: one of them may be what did not match.
                    warn(new CorruptLayerRemadeWarning(e.Digest, destination.Description, e.Message));
                    written = await LayerWriteStage.WriteAsync(plan, options, store, request.Platforms.Select(p => p.PublishDirectory).ToArray(), cancellationToken).ConfigureAwait(false);
                    images = ComposeStage.Compose(bases, plan, written, request.Settings, request.Platforms, request.IsMultiPlatform, imported, nativeChecks: nativeChecks);
                    images = SupplyChainStage.Attach(images, request.Platforms, request.Settings, request.SupplyChain, Repository(request), graphs);
                    result = await destination.SendAsync(images, request.Names, context, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (destination.PushesTo is { } registry && IsRegistryFailure(e))
            {
                failedRegistries.Add(new RegistryPushFailure(registry, e));
                continue;
            }
            if (result.Path is not null)
            {
                await DestinationWriteException.Guard(result.Path, () =>
                {
                    ImageFacts.WriteNextTo(result, request.Names);
                    return Task.FromResult(true);
                }).ConfigureAwait(false);
            }
            results.Add(result);
            clock.Mark($"sent to {destination.Description}");
        }
        if (failedRegistries.Count == 1 && request.Destinations.Count(d => d.PushesTo is not null) == 1)
        {
            // The one registry failed: the publish fails as it always has, with that registry's own failure.
            ExceptionDispatchInfo.Throw(failedRegistries[0].Error);
        }
        var outcome = new PublishOutcome(images, results, report) { FailedRegistries = failedRegistries, StageTimes = clock.ToString() };
        if (request.FactsPath is { } factsPath)
        {
            // Also when some registries failed: the image is in the others, and a CI step may want to know which.
            ImageFacts.Write(factsPath, outcome, request.Names);
        }
        if (failedRegistries.Count > 0)
        {
            throw new RegistryPushesFailedException(outcome);
        }
        return outcome;
    }

    /// <summary>
    /// The native check's outcome said (CB4010 for an image it could not check, CB4007/CB4008 for each finding) or, with
    /// ContainerNativeDependencyCheck=error and findings, thrown; its results, which each image's history records, or
    /// none when nothing was checked.
    /// </summary>
    private IReadOnlyList<NativeCheckResult?>? ReportNativeCheck(NativeCheckOutcome? native, PublishRequest request)
    {
        if (native is null)
        {
            return null;
        }
        native.Skipped.ToList().ForEach(skip => warn(new NativeCheckSkippedWarning(skip.Platform, skip.Reason)));
        if (native.Reports.Count > 0 && request.NativeDependencyCheck == NativeDependencyCheckMode.Error)
        {
            throw new NativeDependenciesMissingException(native.Reports);
        }
        foreach (var image in native.Reports)
        {
            image.Findings.ToList().ForEach(finding => warn(new NativeDependencyWarning(image, finding)));
        }
        if (native.TakenFromRegistry > 0)
        {
            note?.Invoke($"Native libraries: {native.TakenFromRegistry} image(s) as checked before, by the record in {request.Names.Repository}:{request.Names.Tags[0]} (same layers, command and LD_LIBRARY_PATH); the base's layers were not downloaded to check again.");
        }
        // Each check is recorded in its image's history (the key leaves the record out, so it is the same).
        return native.Results.Any(result => result is not null) ? native.Results : null;
    }

    /// <summary>
    /// Where a layer the local cache misses is looked for by its input key: the image the first tag names in the first
    /// destination registry, read with the push's client (its credentials, that host only). None when it is turned off
    /// (ContainerRegistryLayerCache=false), when no registry is a destination, or when the image gets no tag.
    /// </summary>
    private RegistryLayerIndex? RegistryLayers(PublishRequest request, ContentStore store, CancellationToken cancellationToken)
        => request.RegistryLayerCache && request.Destinations.Select(d => d.PushesTo).OfType<References.RegistryHost>().FirstOrDefault() is { } registry
            && request.Names.Tags.Count > 0
            ? new RegistryLayerIndex(clients.Get(registry, RegistryAccess.Push), request.Names.Repository, request.Names.Tags[0], store, note ?? (_ => { }), cancellationToken)
            : null;

    /// <summary>
    /// A failure that is the destination registry's own (unreachable, stalled, credentials, a refusal), which the other
    /// registries need not share. A base layer that does not match its digest is the base's fault, and stops the publish.
    /// </summary>
    private static bool IsRegistryFailure(Exception e)
        => e is (RegistryException and not BlobDigestMismatchException) or CredentialException;

    /// <summary>Where the image is published, for the SBOM's purls: the registry's repository, or none for an image that only goes to files or an engine.</summary>
    private static string? Repository(PublishRequest request)
        => request.Names.Registry is { } registry ? $"{registry}/{request.Names.Repository}" : null;

    /// <summary>
    /// How the new layers are written: gzip or zstd at the requested level, the image's time, and the files' owner (the base's
    /// APP_UID for ContainerFileOwner=app, and for ContainerFile and ContainerDirectory items with Owner=app).
    /// </summary>
    private static async Task<LayerOptions> LayerOptionsAsync(PublishRequest request, Task<IReadOnlyList<BaseImage>> bases)
    {
        (int, int)? appUser = request.FileOwner.IsAppUser || request.ExtraFiles.NeedsAppUser
            ? LayerOwner.AppUser.Resolve(request.Settings.User ?? (await bases.ConfigureAwait(false))[0].Config.Environment.GetValueOrDefault("APP_UID"))
            : null;
        var (userId, groupId) = request.FileOwner.IsAppUser ? appUser!.Value : request.FileOwner.Resolve(null);
        return new LayerOptions(request.Settings.Created)
        {
            UserId = userId, GroupId = groupId, AppUser = appUser, Compression = request.LayerCompression,
            CompressionLevel = request.LayerCompressionLevel ?? LayerOptions.DefaultCompressionLevel, LevelByKind = request.LayerCompressionLevel is null,
        };
    }
}
