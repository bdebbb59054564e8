using Containers.Build.References;
using Containers.Build.Registry;

namespace Containers.Build.Tasks;

/// <summary>ContainerRegistryMirror items and CONTAINERS_BUILD_REGISTRY_MIRRORS, read into <see cref="RegistryMirrors"/>.</summary>
public static class RegistryMirrorSettings
{
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
                    throw new ContainersBuildException(DiagnosticCodes.RegistryMirrorInvalid,
                        $"{RegistryMirrors.EnvironmentVariable} entry '{entry}' is not registry=mirror. Write ';'-separated pairs such as mcr.microsoft.com=127.0.0.1:5000.");
                }
                mirrors.Add(Entry(entry[..equals].Trim(), entry[(equals + 1)..].Trim(), $"{RegistryMirrors.EnvironmentVariable} entry '{entry}'"));
            }
        }
        foreach (var (registry, mirror) in items)
        {
            if (string.IsNullOrWhiteSpace(mirror))
            {
                throw new ContainersBuildException(DiagnosticCodes.RegistryMirrorInvalid,
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
                throw new ContainersBuildException(DiagnosticCodes.RegistryMirrorInvalid,
                    $"{source}: '{value}' is not a registry host ({reason}). Mirrors map whole registries: write host[:port] on both sides, e.g. mcr.microsoft.com and 127.0.0.1:5000.");
            }
            return host;
        }
    }
}
