using Containers.Build.Images;
using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace Containers.Build.Tasks;

/// <summary>
/// ContainerBaseImage when the project names none: Microsoft's .NET image that fits the project
/// (<see cref="BaseImageInference"/>). A base image the user set is returned as it is.
/// </summary>
public sealed class ComputeContainerBaseImage : MSBuildTask
{
    /// <summary>ContainerBaseImage as the user set it; when not empty, nothing is inferred.</summary>
    public string? UserBaseImage { get; set; }

    [Required] public string SdkVersion { get; set; } = "";
    public string TargetFrameworkIdentifier { get; set; } = ".NETCoreApp";
    [Required] public string TargetFrameworkVersion { get; set; } = "";
    public ITaskItem[] FrameworkReferences { get; set; } = [];

    /// <summary>The RIDs the image is for (ContainerRuntimeIdentifier, else ContainerRuntimeIdentifiers).</summary>
    public string[] TargetRuntimeIdentifiers { get; set; } = [];

    public bool IsSelfContained { get; set; }
    public bool IsAotPublished { get; set; }
    public bool IsTrimmed { get; set; }
    public bool UsesInvariantGlobalization { get; set; }
    public string? ContainerFamily { get; set; }

    [Output] public string? ComputedContainerBaseImage { get; private set; }

    /// <summary>
    /// The base image's registry, repository, tag and digest, as the SDK's ComputeContainerConfig sets them
    /// (ContainerBaseRegistry, ContainerBaseName, ContainerBaseTag, ContainerBaseDigest) for tools that read them: Docker
    /// Hub as <c>docker.io</c>, a one-component name under <c>library/</c>, no tag or digest where none is written. Empty for
    /// a base that is not in a registry (a file, a local engine, scratch) or that does not parse (the settings check says why).
    /// </summary>
    [Output] public string BaseRegistry { get; private set; } = "";

    [Output] public string BaseName { get; private set; } = "";

    [Output] public string BaseTag { get; private set; } = "";

    [Output] public string BaseDigest { get; private set; } = "";

    public override bool Execute()
    {
        if (!string.IsNullOrWhiteSpace(UserBaseImage))
        {
            ComputedContainerBaseImage = UserBaseImage.Trim();
            if (!string.IsNullOrWhiteSpace(ContainerFamily))
            {
                Log.LogMessage(MessageImportance.Normal, $"ContainerFamily '{ContainerFamily}' is ignored: ContainerBaseImage is set to '{ComputedContainerBaseImage}'.");
            }
            SetBaseParts(ComputedContainerBaseImage);
            return true;
        }
        try
        {
            ComputedContainerBaseImage = BaseImageInference.Infer(new BaseImageInference.Inputs
            {
                SdkVersion = SdkVersion,
                TargetFrameworkIdentifier = TargetFrameworkIdentifier,
                TargetFrameworkVersion = TargetFrameworkVersion,
                FrameworkReferences = FrameworkReferences.Select(r => r.ItemSpec).ToArray(),
                RuntimeIdentifiers = TargetRuntimeIdentifiers,
                IsSelfContained = IsSelfContained,
                IsAotPublished = IsAotPublished,
                IsTrimmed = IsTrimmed,
                UsesInvariantGlobalization = UsesInvariantGlobalization,
                ContainerFamily = ContainerFamily,
            });
            Log.LogMessage(MessageImportance.High,
                $"ContainerBaseImage is {ComputedContainerBaseImage}, inferred from the project (target framework {TargetFrameworkVersion}, SDK {SdkVersion}). Set ContainerBaseImage to choose another.");
            SetBaseParts(ComputedContainerBaseImage);
        }
        catch (ContainersBuildException e)
        {
            Log.LogError(null, e.Code, null, null, 0, 0, 0, 0, e.Message);
        }
        return !Log.HasLoggedErrors;
    }

    private void SetBaseParts(string baseImage)
    {
        try
        {
            if (BaseImageLocation.Parse(baseImage) is RegistryLocation { Reference: var reference })
            {
                BaseRegistry = reference.Registry.IsDockerHub ? "docker.io" : reference.Registry.ToString();
                BaseName = reference.Repository;
                // Only a tag that is written: the SDK leaves ContainerBaseTag empty where the pull would take latest.
                var name = baseImage.Split('@')[0];
                BaseTag = name[(name.LastIndexOf('/') + 1)..].Contains(':') ? reference.Tag ?? "" : "";
                BaseDigest = reference.Digest?.ToString() ?? "";
            }
        }
        catch (References.InvalidReferenceException)
        {
            // Left empty: the settings check names the property and the fix.
        }
    }
}
