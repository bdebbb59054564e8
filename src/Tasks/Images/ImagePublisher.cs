using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;
using Containers.Build.Tasks;

namespace Containers.Build.Images;

/// <summary>
/// The whole publish: plan the layers, take them from the cache or write them (while the base image is
/// read), compose the image, push it.
/// </summary>
public sealed class ImagePublisher(RegistryClientFactory clients, Action<string, string> warn)
{
    public async Task<PublishOutcome> PublishAsync(ImageRequest request, CancellationToken cancellationToken)
    {
        // One client when pulling and pushing hit the same registry, so one set of (push) credentials and tokens serves both.
        var target = clients.Create(request.Registry, RegistryAccess.Push);
        var baseRegistry = request.BaseImage.Registry == request.Registry ? target : clients.Create(request.BaseImage.Registry, RegistryAccess.Pull);
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
        var push = await new RegistryDestination(target, baseRegistry, store).PushAsync(image, request.Repository, request.Tags, cancellationToken).ConfigureAwait(false);
        return new PublishOutcome(image, push, layers, request.Classification.ExcludedCount);
    }

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
