namespace Containers.Build.SupplyChain;

/// <summary>
/// What an SBOM reads of the build graph, which the image's digest does not change: the app's dependency manifest
/// (<c>&lt;App&gt;.deps.json</c>), its runtime configuration, and each package's declared license (its nuspec). Reading
/// them is most of an SBOM's cost, so the publish reads them while the layers are written, and adds the image once it
/// has a digest (<see cref="SoftwareInventory.Take(SbomInput, AppDependencies)"/>).
/// </summary>
/// <param name="Licenses">Each package's declared license expression, or null (<see cref="NuspecLicense"/>), by library.</param>
internal sealed record AppDependencies(DependencyManifest? Manifest, RuntimeConfig? RuntimeConfig, IReadOnlyDictionary<LibraryId, string?> Licenses)
{
    /// <summary>The files <paramref name="input"/> names.</summary>
    /// <exception cref="SbomSourceException">A deps.json or runtimeconfig.json that exists but does not read.</exception>
    public static AppDependencies Read(SbomInput input) => Read(input.DepsJsonPath, input.RuntimeConfigPath, input.NuGetPackageRoot);

    /// <summary>The files named; a null or missing one leaves its part out.</summary>
    /// <exception cref="SbomSourceException">A deps.json or runtimeconfig.json that exists but does not read.</exception>
    public static AppDependencies Read(string? depsJsonPath, string? runtimeConfigPath, string? nuGetPackageRoot)
    {
        var manifest = DependencyManifest.Read(depsJsonPath);
        var runtimeConfig = RuntimeConfig.Read(runtimeConfigPath);
        var licenses = new Dictionary<LibraryId, string?>();
        foreach (var library in manifest?.Libraries.Where(l => l.Type == DependencyLibraryType.Package) ?? [])
        {
            licenses.TryAdd(library.Id, NuspecLicense.Expression(nuGetPackageRoot, library.Id.Name, library.Id.Version));
        }
        return new AppDependencies(manifest, runtimeConfig, licenses);
    }
}
