using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;
using Containers.Build.Tasks;

namespace Containers.Build.Images;

/// <summary>
/// The whole publish: read the base image, write the app layer, compose the image, push it.
/// </summary>
public sealed class ImagePublisher(RegistryClientFactory clients)
{
    public async Task<(BuiltImage Image, PushResult Push)> PublishAsync(ImageRequest request, CancellationToken cancellationToken)
    {
        // One client when pulling and pushing hit the same registry, so one set of (push) credentials and tokens serves both.
        var target = clients.Create(request.Registry, RegistryAccess.Push);
        var baseRegistry = request.BaseImage.Registry == request.Registry ? target : clients.Create(request.BaseImage.Registry, RegistryAccess.Pull);

        var baseImageTask = ResolveBaseAsync(baseRegistry, request, cancellationToken);

        var store = new ContentStore(request.ContentStoreDirectory);
        var entries = LayerPlanner.PlanDirectory(request.PublishDirectory, request.Settings.WorkingDirectory);
        var format = request.Settings.Format ?? ImageFormat.Oci;
        Layer appLayer;
        try
        {
            appLayer = await new LayerWriter(store).WriteAsync(entries, format.GzipLayerMediaType(), request.Settings.Created, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new ContainersBuildException(DiagnosticCodes.LayerWriteFailed, $"Could not write the app layer from '{request.PublishDirectory}' into '{store.Root}': {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ContainersBuildException(DiagnosticCodes.LayerWriteFailed, $"Could not write the app layer from '{request.PublishDirectory}' into '{store.Root}': {e.Message}", e);
        }

        var baseImage = await baseImageTask.ConfigureAwait(false);
        var image = ImageBuilder.Build(baseImage, [new NewLayer(appLayer, $"The application: {entries.Count(e => e.Kind == LayerEntryKind.File)} files under {request.Settings.WorkingDirectory}")], request.Settings);
        var push = await new RegistryDestination(target, baseRegistry, store).PushAsync(image, request.Repository, request.Tags, cancellationToken).ConfigureAwait(false);
        return (image, push);
    }

    private static async Task<BaseImage> ResolveBaseAsync(RegistryClient registry, ImageRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await BaseImageResolver.ResolveAsync(registry, request.BaseImage, request.Platform, cancellationToken).ConfigureAwait(false);
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
