using Containers.Build.Images.Destinations;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;
using Containers.Build.Tasks;

namespace Containers.Build.Images;

/// <summary>
/// The whole publish: plan the layers, take them from the cache or write them (while the base image is
/// read), compose the image (one per platform, under an index, for a multi-platform publish), and send it to
/// every target asked for.
/// </summary>
public sealed class ImagePublisher(RegistryClientFactory clients, Action<string, string> warn)
{
    public async Task<PublishOutcome> PublishAsync(ImageRequest request, CancellationToken cancellationToken)
    {
        // One client when pulling and pushing hit the same registry, so one set of (push) credentials and tokens serves both.
        var pushClient = request.Registry is { } pushRegistry ? clients.Create(pushRegistry, RegistryAccess.Push) : null;
        // The base's registry, or a mirror of it that has the image (RegistryMirrors); the push client when they are the same registry.
        var baseRegistry = await request.Mirrors.ChooseBaseClientAsync(clients, pushClient, request.BaseImage, cancellationToken).ConfigureAwait(false);
        var store = new ContentStore(request.ContentStoreDirectory);
        var basesTask = ResolveBasesAsync(baseRegistry, request, store, cancellationToken);

        // ContainerLayering=Single asks for one layer per image: no layers split out to share across platforms.
        IReadOnlyList<IReadOnlyList<PlannedLayer>> plans = request.Platforms.Select(p => PlanLayers(request, p, store)).ToArray();
        if (request.Layering != LayeringMode.Single)
        {
            plans = CrossPlatformLayers.Share(plans, cancellationToken);
        }
        var secrets = plans.SelectMany(SecretFileDetector.Find).Distinct(StringComparer.Ordinal).ToArray();
        if (secrets.Length > 0)
        {
            warn(DiagnosticCodes.SecretLookingFile,
                $"These published files look like secrets and will be readable by anyone who can pull the image: {string.Join(", ", secrets)}. Keep them out of the publish output (CopyToPublishDirectory=\"Never\") and give secrets to the container at run time.");
        }

        var (userId, groupId) = request.FileOwner.IsAppUser
            ? request.FileOwner.Resolve(request.Settings.User ?? (await basesTask.ConfigureAwait(false))[0].Config.Environment.GetValueOrDefault("APP_UID"))
            : request.FileOwner.Resolve(null);
        var options = new LayerOptions(MediaTypes.OciLayerGzip, request.Settings.Created) { UserId = userId, GroupId = groupId };
        var written = await WriteLayersAsync(plans.SelectMany(p => p).Distinct(ReferenceEqualityComparer.Instance).Cast<PlannedLayer>().ToArray(), options, store, request, cancellationToken).ConfigureAwait(false);

        var bases = await basesTask.ConfigureAwait(false);
        var settings = request.Settings with { Format = ChooseFormat(request, bases) };
        var images = new List<BuiltImage>();
        for (var i = 0; i < request.Platforms.Count; i++)
        {
            var newLayers = plans[i].Select(planned => new NewLayer(written[planned].Layer, planned.Comment(settings.WorkingDirectory))).ToArray();
            images.Add(ImageBuilder.Build(bases[i], newLayers, settings));
        }
        var imageSet = request.IsMultiPlatform
            ? new ImageSet(images, ImageIndex.Create(settings.Format!.Value, images.Select((image, i) => (image.Manifest, request.Platforms[i].Platform)).ToArray()))
            : ImageSet.Single(images[0]);
        var newLayersWritten = written.Values.ToArray();
        var layerSummary = LayerSummary(newLayersWritten, request.FilesLeftOut);

        var names = new ImageNames(request.Repository, request.Tags);
        var blobs = new LayerBlobs(baseRegistry, store);
        var results = new List<DestinationResult>();
        foreach (var target in request.Targets)
        {
            results.Add(await SendAsync(target, imageSet, names, pushClient, baseRegistry, store, blobs, newLayersWritten, request, layerSummary, cancellationToken).ConfigureAwait(false));
        }
        var outcome = new PublishOutcome(imageSet, results, newLayersWritten, request.FilesLeftOut);
        if (request.FactsPath is { } factsPath)
        {
            ImageFacts.Write(factsPath, outcome, names);
        }
        return outcome;
    }

    /// <summary>
    /// The manifest format: ContainerImageFormat when set, else the base's. A multi-platform base whose
    /// platforms are in different formats cannot give one index a format by itself.
    /// </summary>
    private static ImageFormat ChooseFormat(ImageRequest request, IReadOnlyList<BaseImage> bases)
    {
        if (request.Settings.Format is { } chosen)
        {
            return chosen;
        }
        var formats = bases.Select(b => b.Manifest.Format).Distinct().ToArray();
        if (formats.Length > 1)
        {
            var each = string.Join(", ", bases.Select((b, i) => $"{request.Platforms[i].Platform}: {(b.Manifest.Format == ImageFormat.Docker ? "Docker" : "OCI")}"));
            throw new ContainersBuildException(DiagnosticCodes.BaseImageFormatsMixed,
                $"The base image {request.BaseImage} has platform manifests in different formats ({each}), and one image index cannot hold both. Set ContainerImageFormat to OCI (or Docker) to write every platform's image in that format.");
        }
        return formats[0];
    }

    private async Task<DestinationResult> SendAsync(ImageTarget target, ImageSet images, ImageNames names, RegistryClient? pushClient, RegistryClient baseRegistry,
        ContentStore store, LayerBlobs blobs, IReadOnlyList<CachedLayer> layers, ImageRequest request, string layerSummary, CancellationToken cancellationToken)
    {
        try
        {
            switch (target)
            {
                case RegistryTarget:
                    var push = await new RegistryDestination(pushClient!, baseRegistry, store).PushAsync(images, names.Repository, names.Tags, PlatformTags(request, images, names), cancellationToken).ConfigureAwait(false);
                    return new DestinationResult(target, push.Names.ToArray(), null, PushSummary.Format(push, layers, request.FilesLeftOut));
                case ArchiveTarget archive:
                    var written = await new ArchiveWriter(blobs).WriteAsync(archive, images, names, cancellationToken).ConfigureAwait(false);
                    ImageFacts.WriteNextTo(archive.Path, images, names, written);
                    return written with { Summary = $"{written.Summary} — {layerSummary}" };
                case OciLayoutTarget layout:
                    var laidOut = await new OciLayoutWriter(blobs).WriteAsync(layout, images, names, cancellationToken).ConfigureAwait(false);
                    ImageFacts.WriteNextTo(layout.Directory.TrimEnd('/', '\\'), images, names, laidOut);
                    return laidOut with { Summary = $"{laidOut.Summary} — {layerSummary}" };
                case LocalEngineTarget local:
                    return await LoadLocallyAsync(local, images, names, blobs, layerSummary, cancellationToken).ConfigureAwait(false);
                default:
                    throw new InvalidOperationException($"Unknown target {target}.");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && target is not RegistryTarget)
        {
            throw new ContainersBuildException(DiagnosticCodes.LayerWriteFailed, $"Could not write the image to {Describe(target)}: {e.Message} Check the path, the disk space and the permissions.", e);
        }
    }

    /// <summary>&lt;tag&gt;-&lt;rid&gt; for each platform's manifest, when ContainerPublishPlatformTags asks for them.</summary>
    private static Dictionary<Digest, IReadOnlyList<string>> PlatformTags(ImageRequest request, ImageSet images, ImageNames names)
        => !request.PlatformTags ? []
            : images.Images.Select((image, i) => (image.Digest, Tags: (IReadOnlyList<string>)names.Tags.Select(t => $"{t}-{request.Platforms[i].RuntimeIdentifier}").ToArray()))
                .ToDictionary(p => p.Digest, p => p.Tags);

    /// <summary>A container engine runs one platform: it gets the image for the machine it runs on.</summary>
    private async Task<DestinationResult> LoadLocallyAsync(LocalEngineTarget target, ImageSet images, ImageNames names, LayerBlobs blobs, string layerSummary, CancellationToken cancellationToken)
    {
        var (engine, diagnosis) = await LocalEngineLoader.FindAsync(target.Engine, cancellationToken).ConfigureAwait(false);
        var archives = new ArchiveWriter(blobs);
        if (engine is { } found)
        {
            try
            {
                var image = images.ImageFor(Platform.Host);
                var loaded = await new LocalEngineLoader(archives).LoadAsync(target, found, image, names, cancellationToken).ConfigureAwait(false);
                return loaded with { Summary = $"{loaded.Summary}{WhichOf(images, image)} — {layerSummary}" };
            }
            catch (LocalEngineException e)
            {
                throw new ContainersBuildException(DiagnosticCodes.LocalEngineFailed, $"{e.Message} Check that {found.ToString().ToLowerInvariant()} works (try '{found.ToString().ToLowerInvariant()} info'), or set ContainerRegistry or ContainerArchiveOutputPath instead.", e);
            }
        }
        if (target.Engine is { } requested)
        {
            throw new ContainersBuildException(DiagnosticCodes.LocalEngineFailed,
                $"LocalRegistry={requested} but {requested.ToString().ToLowerInvariant()} is not usable ({diagnosis}). Start it, or leave LocalRegistry empty to write an archive, or set ContainerRegistry.");
        }
        // No daemon is no reason to fail: the archive is the image, ready to load later. An engine loads one
        // platform, so the archive holds the one it would have loaded, as a docker-archive both engines read.
        var archiveTarget = new ArchiveTarget(target.FallbackArchivePath, ArchiveFormat.Docker, Gzip: false);
        var forEngine = images.Index is null ? images : ImageSet.Single(images.ImageFor(Platform.Host));
        var written = await archives.WriteAsync(archiveTarget, forEngine, names, cancellationToken).ConfigureAwait(false);
        ImageFacts.WriteNextTo(archiveTarget.Path, forEngine, names, written);
        return written with { Summary = $"No container engine is usable ({diagnosis}). {written.Summary}{WhichOf(images, forEngine.Images[0])} — {layerSummary}" };
    }

    /// <summary>For a multi-platform image, which platform's image an engine got.</summary>
    private static string WhichOf(ImageSet images, BuiltImage image)
        => images.Index is null ? "" : $" (the {images.PlatformOf(image)} image of the {images.Images.Count} built)";

    private static string Describe(ImageTarget target) => target switch
    {
        ArchiveTarget archive => archive.Path,
        OciLayoutTarget layout => layout.Directory,
        LocalEngineTarget local => local.FallbackArchivePath,
        _ => target.ToString(),
    };

    private static string LayerSummary(IReadOnlyList<CachedLayer> layers, int filesLeftOut)
        => $"{layers.Count(l => l.FromCache)} of {layers.Count} app layers reused from the cache"
           + (filesLeftOut > 0 ? $"; {filesLeftOut} published files for other platforms left out" : "");

    private static IReadOnlyList<PlannedLayer> PlanLayers(ImageRequest request, PlatformPublish platform, ContentStore store)
    {
        try
        {
            var plan = LayerPlanner.Plan(platform.PublishDirectory, request.Settings.WorkingDirectory, platform.Classification, request.Layering);
            return StaticWebAssetEndpoints.WithFixedTimes(plan, request.Settings.Created, store);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContainersBuildException(DiagnosticCodes.LayerWriteFailed,
                $"Could not read the publish output in '{platform.PublishDirectory}' or write to '{store.Root}': {e.Message} Check the permissions and disk space there (ContainersBuildContentStore).", e);
        }
        catch (WhiteoutNameException e)
        {
            throw new ContainersBuildException(DiagnosticCodes.WhiteoutFileName, e.Message, e);
        }
    }

    /// <summary>Writes (or takes from the cache) each distinct planned layer once; a layer shared by several platforms is one entry.</summary>
    private static async Task<IReadOnlyDictionary<PlannedLayer, CachedLayer>> WriteLayersAsync(IReadOnlyList<PlannedLayer> plan, LayerOptions options, ContentStore store, ImageRequest request, CancellationToken cancellationToken)
    {
        var cache = new LayerCache(store);
        var layers = new CachedLayer[plan.Count];
        try
        {
            // Compression is CPU-bound: one layer per core.
            await Parallel.ForEachAsync(
                Enumerable.Range(0, plan.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
                async (i, ct) => layers[i] = await cache.GetOrWriteAsync(plan[i].Entries, options, ct).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContainersBuildException(DiagnosticCodes.LayerWriteFailed,
                $"Could not write the layers from '{string.Join("', '", request.Platforms.Select(p => p.PublishDirectory))}' into '{store.Root}': {e.Message} Check the disk space and permissions there (ContainersBuildContentStore).", e);
        }
        // Keyed by reference: two platform-specific layers with equal entries are still two layers to write.
        var byLayer = new Dictionary<PlannedLayer, CachedLayer>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < plan.Count; i++)
        {
            byLayer[plan[i]] = layers[i];
        }
        return byLayer;
    }

    private static async Task<IReadOnlyList<BaseImage>> ResolveBasesAsync(RegistryClient registry, ImageRequest request, ContentStore store, CancellationToken cancellationToken)
    {
        try
        {
            return await BaseImageResolver.ResolveAsync(registry, request.BaseImage, request.Platforms.Select(p => p.Platform).ToArray(), store, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e is not RegistryUnreachableException && !e.IsAuthenticationFailure)
        {
            throw new ContainersBuildException(DiagnosticCodes.BaseImageUnreadable,
                $"The base image {request.BaseImage} could not be read: {e.Message} Check ContainerBaseImage and the registry's health.", e);
        }
        catch (InvalidContentException e)
        {
            throw new ContainersBuildException(DiagnosticCodes.BaseImageUnreadable,
                $"The base image {request.BaseImage} is not a valid image: {e.Message} Choose another ContainerBaseImage.", e);
        }
    }
}
