using Containers.Build.Model;
using NuGet.Versioning;

namespace Containers.Build.SupplyChain;

/// <summary>
/// What an image holds, read once and written as either SBOM format: the image, the app, the libraries the app runs
/// with (packages, referenced projects, the runtime), the base image, and which depends on which
/// (<see cref="DependsOn"/>: for the app and each library, the sorted keys of what it depends on, possibly none).
/// Every list is sorted, so the documents are the same bytes for the same input.
/// </summary>
internal sealed record SoftwareInventory(
    InventoryComponent Image,
    InventoryComponent Application,
    IReadOnlyList<InventoryComponent> Libraries,
    InventoryComponent? BaseImage,
    IReadOnlyDictionary<string, IReadOnlyList<string>> DependsOn)
{
    private const string RuntimePackPrefix = "runtimepack.";

    /// <summary>The base image's environment variable that gives the exact version of each shared framework it installs.</summary>
    private static readonly IReadOnlyDictionary<string, string> FrameworkVersionVariables = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.NETCore.App"] = "DOTNET_VERSION",
        ["Microsoft.AspNetCore.App"] = "ASPNET_VERSION",
    };

    /// <summary>The image, then the app, the libraries and the base image: the order of the documents' lists.</summary>
    public IEnumerable<InventoryComponent> All => BaseImage is null
        ? [Image, Application, .. Libraries]
        : [Image, Application, .. Libraries, BaseImage];

    /// <exception cref="SbomSourceException">A deps.json or runtimeconfig.json that exists but does not read.</exception>
    public static SoftwareInventory Take(SbomInput input) => Take(input, AppDependencies.Read(input));

    /// <summary>The inventory of the image <paramref name="input"/> names, from its build graph as already read.</summary>
    public static SoftwareInventory Take(SbomInput input, AppDependencies read)
    {
        var manifest = read.Manifest;
        var runtimeConfig = read.RuntimeConfig;

        var image = ImageComponent(input);
        var application = new InventoryComponent(ComponentRole.Application, $"application:{input.App.Name}@{input.App.Version}", input.App.Name, input.App.Version);

        var libraries = manifest?.Libraries ?? [];
        var appLibrary = libraries.FirstOrDefault(l => l.Type == DependencyLibraryType.Project && string.Equals(l.Id.Name, input.App.Name, StringComparison.OrdinalIgnoreCase))
            ?? libraries.FirstOrDefault(l => l.Type == DependencyLibraryType.Project);

        var keys = new Dictionary<LibraryId, string>(LibraryId.IgnoreCase);
        var components = new Dictionary<string, InventoryComponent>(StringComparer.Ordinal);
        var dependsOn = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal) { [application.Key] = new(StringComparer.Ordinal) };
        if (appLibrary is not null)
        {
            keys[appLibrary.Id] = application.Key;
        }
        foreach (var library in libraries.Where(l => l != appLibrary))
        {
            var component = LibraryComponent(library, read.Licenses);
            keys.TryAdd(library.Id, component.Key);
            if (components.TryAdd(component.Key, component))
            {
                dependsOn[component.Key] = new SortedSet<string>(StringComparer.Ordinal);
            }
        }
        foreach (var library in libraries)
        {
            if (!keys.TryGetValue(library.Id, out var from))
            {
                continue;
            }
            foreach (var dependency in library.Dependencies)
            {
                // A dependency the runtime target does not list (a compile-time-only reference) is not in the image.
                if (keys.TryGetValue(dependency, out var to) && to != from)
                {
                    dependsOn[from].Add(to);
                }
            }
        }

        // A self-contained app carries its runtime as runtime packs, already among its dependencies; a framework-dependent
        // one runs on the shared frameworks its runtimeconfig.json names, which the base image provides.
        if (!libraries.Any(l => l.Type == DependencyLibraryType.RuntimePack) && runtimeConfig is not null)
        {
            var frameworks = runtimeConfig.Frameworks
                .Select(f => f with { Version = InstalledVersion(f, input.BaseEnvironment) })
                .Concat(runtimeConfig.IncludedFrameworks);
            foreach (var framework in frameworks)
            {
                var purl = PackageUrl.SharedFramework(framework.Name, framework.Version);
                if (components.TryAdd(purl, new InventoryComponent(ComponentRole.Runtime, purl, framework.Name, framework.Version) { Purl = purl }))
                {
                    dependsOn[purl] = new SortedSet<string>(StringComparer.Ordinal);
                }
                dependsOn[application.Key].Add(purl);
            }
        }

        var baseImage = input.BaseImage.IsScratch ? null : BaseImageComponent(input.BaseImage, input.Subject.Platform);
        var sorted = components.Values
            .OrderBy(c => c.Role)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .ThenBy(c => c.Version, StringComparer.Ordinal)
            .ThenBy(c => c.Key, StringComparer.Ordinal)
            .ToList();
        return new SoftwareInventory(image, application, sorted, baseImage,
            dependsOn.ToDictionary(d => d.Key, d => (IReadOnlyList<string>)d.Value.ToList(), StringComparer.Ordinal));
    }

    private static InventoryComponent ImageComponent(SbomInput input)
    {
        var subject = input.Subject;
        var name = subject.Repository is { Length: > 0 } repository ? repository : input.App.Name;
        var purl = ImagePackageUrl.ForImage(subject);
        return new InventoryComponent(ComponentRole.Image, purl ?? $"image:{name}@{subject.ManifestDigest}", name, subject.ManifestDigest.ToString())
        {
            Purl = purl,
            Digest = subject.ManifestDigest,
        };
    }

    private static InventoryComponent BaseImageComponent(BaseImageIdentity baseImage, Platform platform)
    {
        var purl = ImagePackageUrl.ForBase(baseImage, platform);
        return new InventoryComponent(ComponentRole.BaseImage, purl, baseImage.Name, baseImage.Digest?.ToString())
        {
            Purl = purl,
            Digest = baseImage.Digest,
        };
    }

    private static InventoryComponent LibraryComponent(DependencyLibrary library, IReadOnlyDictionary<LibraryId, string?> licenses)
    {
        var (name, version) = (library.Id.Name, library.Id.Version);
        switch (library.Type)
        {
            case DependencyLibraryType.Package:
                var purl = PackageUrl.NuGet(name, version);
                return new InventoryComponent(ComponentRole.Package, purl, name, version)
                {
                    Purl = purl,
                    Sha512Hex = library.Sha512Hex,
                    License = licenses.GetValueOrDefault(library.Id),
                };
            case DependencyLibraryType.RuntimePack:
                // runtimepack.Microsoft.NETCore.App.Runtime.linux-x64 is the NuGet package Microsoft.NETCore.App.Runtime.linux-x64.
                var packageId = name.StartsWith(RuntimePackPrefix, StringComparison.OrdinalIgnoreCase) ? name[RuntimePackPrefix.Length..] : name;
                var runtimePurl = PackageUrl.NuGet(packageId, version);
                return new InventoryComponent(ComponentRole.Runtime, runtimePurl, packageId, version) { Purl = runtimePurl };
            default:
                return new InventoryComponent(ComponentRole.ProjectReference, $"project:{name}@{version}", name, version);
        }
    }

    /// <summary>
    /// The version of a shared framework the app will run on: a .NET base image names the exact one it installs
    /// (<c>DOTNET_VERSION</c>, <c>ASPNET_VERSION</c>); without it, or when it is lower than the app asks for (a base
    /// that cannot run the app), the lowest version the app accepts, as its runtimeconfig.json says.
    /// </summary>
    private static string InstalledVersion(RuntimeFramework framework, IReadOnlyDictionary<string, string> baseEnvironment)
    {
        if (FrameworkVersionVariables.TryGetValue(framework.Name, out var variable)
            && baseEnvironment.TryGetValue(variable, out var installed)
            && NuGetVersion.TryParse(installed, out var installedVersion)
            && (!NuGetVersion.TryParse(framework.Version, out var requested) || installedVersion >= requested))
        {
            return installed;
        }
        return framework.Version;
    }
}
