using Containers.Build.Images.Destinations;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;
using Containers.Build.Tasks;

namespace Containers.Build.Images;

/// <summary>
/// The whole publish: plan the layers, take them from the cache or write them (while the base image is
/// read), compose the image, and send it to every target asked for.
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
        var baseImageTask = ResolveBaseAsync(baseRegistry, request, store, cancellationToken);

        var plan = PlanLayers(request);
        var secrets = SecretFileDetector.Find(plan);
        if (secrets.Count > 0)
        {
            warn(DiagnosticCodes.SecretLookingFile,
                $"These published files look like secrets and will be readable by anyone who can pull the image: {string.Join(", ", secrets)}. Keep them out of the publish output (CopyToPublishDirectory=\"Never\") and give secrets to the container at run time.");
        }

        var (userId, groupId) = request.FileOwner.IsAppUser
            ? request.FileOwner.Resolve(request.Settings.User ?? (await baseImageTask.ConfigureAwait(false)).Config.Environment.GetValueOrDefault("APP_UID"))
            : request.FileOwner.Resolve(null);
        var options = new LayerOptions(MediaTypes.OciLayerGzip, request.Settings.Created) { UserId = userId, GroupId = groupId };
        var layers = await WriteLayersAsync(plan, options, store, request, cancellationToken).ConfigureAwait(false);

        var baseImage = await baseImageTask.ConfigureAwait(false);
        var newLayers = plan.Zip(layers, (planned, cached) => new NewLayer(cached.Layer, planned.Comment(request.Settings.WorkingDirectory))).ToArray();
        var image = ImageBuilder.Build(baseImage, newLayers, request.Settings);
        var layerSummary = LayerSummary(layers, request.Classification.ExcludedCount);

        var names = new ImageNames(request.Repository, request.Tags);
        var blobs = new LayerBlobs(baseRegistry, store);
        var results = new List<DestinationResult>();
        foreach (var target in request.Targets)
        {
            results.Add(await SendAsync(target, image, names, pushClient, baseRegistry, store, blobs, layers, request, layerSummary, cancellationToken).ConfigureAwait(false));
        }
        var outcome = new PublishOutcome(image, results, layers, request.Classification.ExcludedCount);
        if (request.FactsPath is { } factsPath)
        {
            ImageFacts.Write(factsPath, outcome, names);
        }
        return outcome;
    }

    private async Task<DestinationResult> SendAsync(ImageTarget target, BuiltImage image, ImageNames names, RegistryClient? pushClient, RegistryClient baseRegistry,
        ContentStore store, LayerBlobs blobs, IReadOnlyList<CachedLayer> layers, ImageRequest request, string layerSummary, CancellationToken cancellationToken)
    {
        try
        {
            switch (target)
            {
                case RegistryTarget:
                    var push = await new RegistryDestination(pushClient!, baseRegistry, store).PushAsync(image, names.Repository, names.Tags, cancellationToken).ConfigureAwait(false);
                    return new DestinationResult(target, push.Names.ToArray(), null, PushSummary.Format(push, layers, request.Classification.ExcludedCount));
                case ArchiveTarget archive:
                    var written = await new ArchiveWriter(blobs).WriteAsync(archive, image, names, cancellationToken).ConfigureAwait(false);
                    ImageFacts.WriteNextTo(archive.Path, image, names, written);
                    return written with { Summary = $"{written.Summary} — {layerSummary}" };
                case OciLayoutTarget layout:
                    var laidOut = await new OciLayoutWriter(blobs).WriteAsync(layout, image, names, cancellationToken).ConfigureAwait(false);
                    ImageFacts.WriteNextTo(layout.Directory.TrimEnd('/', '\\'), image, names, laidOut);
                    return laidOut with { Summary = $"{laidOut.Summary} — {layerSummary}" };
                case LocalEngineTarget local:
                    return await LoadLocallyAsync(local, image, names, blobs, layerSummary, cancellationToken).ConfigureAwait(false);
                default:
                    throw new InvalidOperationException($"Unknown target {target}.");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && target is not RegistryTarget)
        {
            throw new ContainersBuildException(DiagnosticCodes.LayerWriteFailed, $"Could not write the image to {Describe(target)}: {e.Message} Check the path, the disk space and the permissions.", e);
        }
    }

    private async Task<DestinationResult> LoadLocallyAsync(LocalEngineTarget target, BuiltImage image, ImageNames names, LayerBlobs blobs, string layerSummary, CancellationToken cancellationToken)
    {
        var (engine, diagnosis) = await LocalEngineLoader.FindAsync(target.Engine, cancellationToken).ConfigureAwait(false);
        var archives = new ArchiveWriter(blobs);
        if (engine is { } found)
        {
            try
            {
                var loaded = await new LocalEngineLoader(archives).LoadAsync(target, found, image, names, cancellationToken).ConfigureAwait(false);
                return loaded with { Summary = $"{loaded.Summary} — {layerSummary}" };
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
        // No daemon is no reason to fail: the archive is the image, ready to load later.
        var archiveTarget = new ArchiveTarget(target.FallbackArchivePath, ArchiveFormat.Docker, Gzip: false);
        var written = await archives.WriteAsync(archiveTarget, image, names, cancellationToken).ConfigureAwait(false);
        ImageFacts.WriteNextTo(archiveTarget.Path, image, names, written);
        return written with { Summary = $"No container engine is usable ({diagnosis}). {written.Summary} — {layerSummary}" };
    }

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

    private static IReadOnlyList<PlannedLayer> PlanLayers(ImageRequest request)
    {
        try
        {
            return LayerPlanner.Plan(request.PublishDirectory, request.Settings.WorkingDirectory, request.Classification, request.Layering);
        }
        catch (WhiteoutNameException e)
        {
            throw new ContainersBuildException(DiagnosticCodes.WhiteoutFileName, e.Message, e);
        }
    }

    private static async Task<CachedLayer[]> WriteLayersAsync(IReadOnlyList<PlannedLayer> plan, LayerOptions options, ContentStore store, ImageRequest request, CancellationToken cancellationToken)
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
                $"Could not write the layers from '{request.PublishDirectory}' into '{store.Root}': {e.Message} Check the disk space and permissions there (ContainersBuildContentStore).", e);
        }
        return layers;
    }

    private static async Task<BaseImage> ResolveBaseAsync(RegistryClient registry, ImageRequest request, ContentStore store, CancellationToken cancellationToken)
    {
        try
        {
            return await BaseImageResolver.ResolveAsync(registry, request.BaseImage, request.Platform, store, cancellationToken).ConfigureAwait(false);
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
