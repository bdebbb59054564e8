using Containers.Build.References;

namespace Containers.Build.Registry;

/// <summary>One mirror: pulls from <see cref="Registry"/> go to <see cref="Mirror"/> first, at the same repository path.</summary>
public sealed record RegistryMirror(RegistryHost Registry, RegistryHost Mirror);

/// <summary>
/// Registry mirrors for pulling base images (ContainerRegistryMirror items and CONTAINERS_BUILD_REGISTRY_MIRRORS).
/// A mirror serves the same repositories as the registry it stands for (mcr.microsoft.com/dotnet/aspnet:10.0 is
/// mirror/dotnet/aspnet:10.0): the base image is read from the first mirror that has it, and from the registry
/// itself only when none does, with a message saying so. The image still names its base by the canonical name.
/// </summary>
public sealed class RegistryMirrors
{
    /// <summary>The environment variable for CI: <c>registry=mirror</c> pairs separated by ';', e.g. <c>mcr.microsoft.com=127.0.0.1:5000;docker.io=mirror.example.com</c>.</summary>
    public const string EnvironmentVariable = "CONTAINERS_BUILD_REGISTRY_MIRRORS";

    public static readonly RegistryMirrors None = new([], _ => { });

    private readonly Action<string> _log;

    public RegistryMirrors(IReadOnlyList<RegistryMirror> mirrors, Action<string> log)
    {
        Mirrors = mirrors;
        _log = log;
    }

    /// <summary>In the order they are tried: the environment's first, then the project's.</summary>
    public IReadOnlyList<RegistryMirror> Mirrors { get; }

    /// <summary>The mirrors standing for <paramref name="registry"/>, in order.</summary>
    public IEnumerable<RegistryHost> For(RegistryHost registry)
        => Mirrors.Where(m => m.Registry == registry && m.Mirror != registry).Select(m => m.Mirror).Distinct();

    /// <summary>
    /// The client to read the base image <paramref name="baseImage"/> with: the first mirror that has it, else its own
    /// registry; <paramref name="clientFor"/> gives the client of each registry tried.
    /// </summary>
    public async Task<RegistryClient> ChooseBaseClientAsync(Func<RegistryHost, RegistryClient> clientFor, ImageReference baseImage, CancellationToken cancellationToken)
    {
        var missing = new List<RegistryHost>();
        foreach (var mirror in For(baseImage.Registry))
        {
            var client = clientFor(mirror);
            ManifestContent? found;
            try
            {
                found = await client.GetManifestAsync(baseImage.Repository, baseImage.Reference, cancellationToken).ConfigureAwait(false);
            }
            catch (RegistryException e) when (e is not RegistryUnreachableException && !e.IsAuthenticationFailure)
            {
                throw new MirrorFailedException(mirror, baseImage, e);
            }
            if (found is not null)
            {
                _log($"The base image {baseImage} is read from the mirror {mirror} ({mirror}/{baseImage.Repository}).");
                return client;
            }
            missing.Add(mirror);
        }
        if (missing.Count > 0)
        {
            _log($"The mirror{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} for {baseImage.Registry} do{(missing.Count > 1 ? "" : "es")} not have {baseImage.Repository}:{baseImage.Reference}; "
                 + $"reading the base image from {baseImage.Registry} itself. Add it to the mirror to keep builds off {baseImage.Registry}.");
        }
        return clientFor(baseImage.Registry);
    }
}
