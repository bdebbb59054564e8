using Containers.Build.SupplyChain;

namespace Containers.Build.Publishing;

/// <summary>ContainerSbom: which SBOM the image gets.</summary>
public enum SbomFormat
{
    Spdx,
    CycloneDx,
    None,
}

/// <summary>
/// What the supply-chain documents need from the build besides the image: the SBOM format and whether to write
/// provenance (ContainerSbom, ContainerProvenance), the app's name and version, the NuGet packages folder (for
/// licenses), and for provenance the project, configuration, SDK, source commit and the container settings (no secrets).
/// </summary>
public sealed record SupplyChainSettings
{
    public static SupplyChainSettings None { get; } = new() { Sbom = SbomFormat.None, Provenance = false };

    public SbomFormat Sbom { get; init; } = SbomFormat.Spdx;
    public bool Provenance { get; init; } = true;
    public string AppName { get; init; } = "app";
    public string AppVersion { get; init; } = "1.0.0";
    public string? NuGetPackageRoot { get; init; }
    public string Project { get; init; } = "";
    public string Configuration { get; init; } = "";
    public string SdkVersion { get; init; } = "";
    public SourceRepository? Source { get; init; }

    /// <summary>The container settings that shaped the image, by name; never a path on this machine or a secret.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
}
