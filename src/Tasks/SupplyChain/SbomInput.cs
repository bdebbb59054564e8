namespace Containers.Build.SupplyChain;

/// <summary>
/// What an SBOM is made from: the image, the app, the app's dependency manifest (<c>&lt;App&gt;.deps.json</c>) and
/// runtime configuration (<c>&lt;App&gt;.runtimeconfig.json</c>) in the publish folder, the NuGet packages folder whose
/// nuspecs give the packages' licenses, and the base image with its environment (.NET images name their runtime's
/// exact version there: <c>DOTNET_VERSION</c>, <c>ASPNET_VERSION</c>). Null or missing files leave their part out.
/// </summary>
public sealed record SbomInput(
    SbomApp App,
    SbomSubject Subject,
    string? DepsJsonPath,
    string? RuntimeConfigPath,
    string? NuGetPackageRoot,
    BaseImageIdentity BaseImage,
    IReadOnlyDictionary<string, string> BaseEnvironment)
{
    /// <summary>The version the documents give for Containers.Build; tests set it so their expected bytes never move.</summary>
    public string ToolVersion { get; init; } = BuildTool.Version;
}
