using Containers.Build.References;
using Containers.Build.Registry.Auth;

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
    /// registry. A client for a registry that is also pushed to is the push client, so base layers can be mounted there.
    /// </summary>
    public async Task<RegistryClient> ChooseBaseClientAsync(RegistryClientFactory clients, RegistryClient? pushClient, ImageReference baseImage, CancellationToken cancellationToken)
    {
        RegistryClient ClientFor(RegistryHost host) => pushClient is not null && pushClient.Registry == host ? pushClient : clients.Create(host, RegistryAccess.Pull);

        var missing = new List<RegistryHost>();
        foreach (var mirror in For(baseImage.Registry))
        {
            var client = ClientFor(mirror);
            ManifestContent? found;
            try
            {
                found = await client.GetManifestAsync(baseImage.Repository, baseImage.Reference, cancellationToken).ConfigureAwait(false);
            }
            catch (RegistryException e) when (e is not RegistryUnreachableException && !e.IsAuthenticationFailure)
            {
                // A mirror that fails (rather than lacking the image) is reported as such, not silently skipped.
                throw new ContainersBuildException(Tasks.DiagnosticCodes.BaseImageUnreadable,
                    $"The mirror {mirror} failed to answer for the base image {baseImage}: {e.Message} Check the mirror's health, or remove it from ContainerRegistryMirror / {EnvironmentVariable}.", e);
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
        return ClientFor(baseImage.Registry);
    }

    /// <summary>
    /// Parses the project's items (registry, Mirror metadata) and the environment variable. Every entry must be a
    /// registry host on both sides: mirrors map registries, not repositories.
    /// </summary>
    /// <exception cref="ContainersBuildException">CB1110 naming the entry, when one is not a registry host.</exception>
    public static RegistryMirrors Parse(IReadOnlyList<(string Registry, string? Mirror)> items, string? environment, Action<string> log)
    {
        var mirrors = new List<RegistryMirror>();
        if (!string.IsNullOrWhiteSpace(environment))
        {
            foreach (var entry in environment.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = entry.IndexOf('=');
                if (equals <= 0)
                {
                    throw new ContainersBuildException(Tasks.DiagnosticCodes.RegistryMirrorInvalid,
                        $"{EnvironmentVariable} entry '{entry}' is not registry=mirror. Write ';'-separated pairs such as mcr.microsoft.com=127.0.0.1:5000.");
                }
                mirrors.Add(Entry(entry[..equals].Trim(), entry[(equals + 1)..].Trim(), $"{EnvironmentVariable} entry '{entry}'"));
            }
        }
        foreach (var (registry, mirror) in items)
        {
            if (string.IsNullOrWhiteSpace(mirror))
            {
                throw new ContainersBuildException(Tasks.DiagnosticCodes.RegistryMirrorInvalid,
                    $"ContainerRegistryMirror '{registry}' has no Mirror metadata. Write <ContainerRegistryMirror Include=\"{registry}\" Mirror=\"mirror.example.com\" />.");
            }
            mirrors.Add(Entry(registry.Trim(), mirror.Trim(), $"ContainerRegistryMirror '{registry}' (Mirror '{mirror}')"));
        }
        return new RegistryMirrors(mirrors, log);
    }

    private static RegistryMirror Entry(string registry, string mirror, string source)
    {
        return new RegistryMirror(Host(registry, source), Host(mirror, source));

        static RegistryHost Host(string value, string source)
        {
            if (!RegistryHost.TryParse(value, out var host, out var reason))
            {
                throw new ContainersBuildException(Tasks.DiagnosticCodes.RegistryMirrorInvalid,
                    $"{source}: '{value}' is not a registry host ({reason}). Mirrors map whole registries: write host[:port] on both sides, e.g. mcr.microsoft.com and 127.0.0.1:5000.");
            }
            return host;
        }
    }
}
