using Containers.Build.Publishing;
using Containers.Build.SupplyChain;

namespace Containers.Build.Tasks;

/// <summary>ContainerSbom and ContainerProvenance, and what the SBOM and provenance say about the build.</summary>
public static partial class ImageRequestParser
{
    public sealed partial record Inputs
    {
        /// <summary>$(ContainerSbom): spdx (the default), cyclonedx or false.</summary>
        public string? Sbom { get; init; }

        /// <summary>$(ContainerProvenance): true (the default) or false.</summary>
        public string? Provenance { get; init; }

        /// <summary>$(Version), the app's version in the SBOM.</summary>
        public string? AppVersion { get; init; }

        /// <summary>$(NuGetPackageRoot): where the packages' nuspecs (their licenses) are.</summary>
        public string? NuGetPackageRoot { get; init; }

        /// <summary>$(MSBuildProjectFile), $(Configuration) and $(NETCoreSdkVersion), for the provenance.</summary>
        public string? ProjectFile { get; init; }
        public string? Configuration { get; init; }
        public string? SdkVersion { get; init; }

        /// <summary>The source repository and commit Source Link found ($(PrivateRepositoryUrl) or $(RepositoryUrl), $(SourceRevisionId)).</summary>
        public string? SourceRepositoryUrl { get; init; }
        public string? SourceRevision { get; init; }
    }

    internal static SbomFormat ParseSbom(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "true" or "spdx" => SbomFormat.Spdx,
        "cyclonedx" => SbomFormat.CycloneDx,
        "false" => SbomFormat.None,
        _ => throw new ContainersBuildException(DiagnosticCodes.SbomFormatInvalid,
            $"ContainerSbom '{value}' is not a value it takes. Use spdx (SPDX 2.3, the default), cyclonedx (CycloneDX 1.6), or false for no SBOM."),
    };

    internal static bool ParseProvenance(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "true" => true,
        "false" => false,
        _ => throw new ContainersBuildException(DiagnosticCodes.ProvenanceInvalid,
            $"ContainerProvenance '{value}' is not a value it takes. Use true (an in-toto SLSA provenance statement attached to the image, the default) or false."),
    };

    /// <summary>
    /// The supply-chain settings. The provenance's properties are the settings that shaped the image, by their MSBuild
    /// names, as the project wrote them: no path the build computes (content store, output folders: a clone elsewhere must
    /// give the same statement), no environment variable or label value (they may hold secrets), no credential.
    /// </summary>
    private static SupplyChainSettings ParseSupplyChain(Inputs inputs, string appName)
    {
        var properties = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                properties[name] = value.Trim();
            }
        }
        Add("ContainerBaseImage", inputs.BaseImage);
        Add("ContainerRegistry", inputs.Registry);
        Add("ContainerRepository", inputs.Repository);
        Add("ContainerImageTag", inputs.ImageTag);
        Add("ContainerImageTags", inputs.ImageTags);
        Add("ContainerRuntimeIdentifier", inputs.RuntimeIdentifier);
        Add("ContainerRuntimeIdentifiers", string.Join(";", inputs.Platforms.Select(p => p.RuntimeIdentifier)));
        Add("ContainerImageFormat", inputs.ImageFormat);
        Add("ContainerWorkingDirectory", inputs.WorkingDirectory);
        Add("ContainerUser", inputs.User);
        Add("ContainerLayering", inputs.Layering);
        Add("ContainerFileOwner", inputs.FileOwner);
        // The layers' bytes depend on them: what a rebuild must be given to give the same digests.
        Add("ContainerLayerCompression", inputs.LayerCompression);
        Add("ContainerLayerCompressionLevel", inputs.LayerCompressionLevel);
        Add("ContainerAppCommandInstruction", inputs.AppCommandInstruction);
        Add("ContainerSbom", inputs.Sbom);
        var source = !string.IsNullOrWhiteSpace(inputs.SourceRepositoryUrl) && !string.IsNullOrWhiteSpace(inputs.SourceRevision)
            ? new SourceRepository(inputs.SourceRepositoryUrl.Trim(), inputs.SourceRevision.Trim())
            : null;
        return new SupplyChainSettings
        {
            Sbom = ParseSbom(inputs.Sbom),
            Provenance = ParseProvenance(inputs.Provenance),
            AppName = inputs.AssemblyName ?? appName,
            AppVersion = string.IsNullOrWhiteSpace(inputs.AppVersion) ? "1.0.0" : inputs.AppVersion.Trim(),
            NuGetPackageRoot = string.IsNullOrWhiteSpace(inputs.NuGetPackageRoot) ? null : inputs.NuGetPackageRoot,
            Project = inputs.ProjectFile ?? "",
            Configuration = inputs.Configuration ?? "",
            SdkVersion = inputs.SdkVersion ?? "",
            Source = source,
            Properties = properties,
        };
    }
}
