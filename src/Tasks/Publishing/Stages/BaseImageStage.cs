using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;

namespace Containers.Build.Publishing.Stages;

/// <summary>
/// Stage 1: the base image for every platform, from the source its location names: none (scratch), an OCI layout directory or archive, a docker-archive, a local engine, or
/// a registry, read from the first mirror that has it or from its own registry. A registry that is also pushed to
/// is read with the push client, so its layers can be mounted there.
/// </summary>
public static class BaseImageStage
{
    public static Task<IReadOnlyList<BaseImage>> ResolveAsync(BaseImageLocation location, IReadOnlyList<Platform> platforms, RegistryMirrors mirrors,
        IReadOnlySet<RegistryHost> pushRegistries, RegistryClientFactory clients, ContentStore store, CancellationToken cancellationToken)
        => location switch
        {
            RegistryLocation registry => ResolveFromRegistryAsync(registry.Reference, platforms, mirrors, pushRegistries, clients, store, cancellationToken),
            OciLayoutLocation layout => OciLayoutSource.ResolveAsync(layout, platforms, store, cancellationToken),
            OciArchiveLocation archive => OciArchiveSource.ResolveAsync(archive, platforms, store, cancellationToken),
            DockerArchiveLocation docker => DockerArchiveSource.ResolveAsync(docker, platforms, store, cancellationToken),
            EngineImageLocation engine => EngineImageSource.ResolveAsync(engine, platforms, store, cancellationToken),
            ScratchLocation => Task.FromResult(ScratchSource.Resolve(platforms)),
            _ => throw new ArgumentOutOfRangeException(nameof(location), location, "A base image location with no source."),
        };

    private static async Task<IReadOnlyList<BaseImage>> ResolveFromRegistryAsync(ImageReference baseImage, IReadOnlyList<Platform> platforms, RegistryMirrors mirrors,
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
