using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;

namespace Containers.Build.Publishing.Stages;

/// <summary>
/// Stage 1: the base image for every platform, read from the first mirror that has it or from its own registry.
/// A registry that is also pushed to is read with the push client, so its layers can be mounted there.
/// </summary>
public static class BaseImageStage
{
    public static async Task<IReadOnlyList<BaseImage>> ResolveAsync(ImageReference baseImage, IReadOnlyList<Platform> platforms, RegistryMirrors mirrors,
        IReadOnlySet<RegistryHost> pushRegistries, RegistryClientFactory clients, ContentStore store, CancellationToken cancellationToken)
    {
        RegistryClient ClientFor(RegistryHost host) => clients.Get(host, pushRegistries.Contains(host) ? RegistryAccess.Push : RegistryAccess.Pull);
        var registry = await mirrors.ChooseBaseClientAsync(ClientFor, baseImage, cancellationToken).ConfigureAwait(false);
        try
        {
            return await BaseImageResolver.ResolveAsync(registry, baseImage, platforms, store, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e is not RegistryUnreachableException && !e.IsAuthenticationFailure)
        {
            throw new BaseImageUnreadableException(baseImage, e);
        }
        catch (InvalidContentException e)
        {
            throw new BaseImageUnreadableException(baseImage, e);
        }
    }
}
