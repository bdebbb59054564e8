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
    /// <summary>
    /// The settings, one item each (Containers.Build.Settings.targets): BaseImage as the project set it (when not empty,
    /// nothing is inferred), and what the inference reads (<see cref="ContainerSettingsDefaults.BaseImageInputs"/>).
    /// </summary>
    public ITaskItem[] Settings { get; set; } = [];

    /// <summary>@(FrameworkReference): ASP.NET Core's gets the aspnet image.</summary>
    public ITaskItem[] FrameworkReferences { get; set; } = [];

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
        var values = new SettingValues(Settings);
        var userBaseImage = values["BaseImage"];
        if (!string.IsNullOrWhiteSpace(userBaseImage))
        {
            ComputedContainerBaseImage = userBaseImage.Trim();
            if (!string.IsNullOrWhiteSpace(values["ContainerFamily"]))
            {
                Log.LogMessage(MessageImportance.Normal, $"ContainerFamily '{values["ContainerFamily"]}' is ignored: ContainerBaseImage is set to '{ComputedContainerBaseImage}'.");
            }
            SetBaseParts(ComputedContainerBaseImage);
            return true;
        }
        try
        {
            var inputs = ContainerSettingsDefaults.BaseImageInputs(values, FrameworkReferences.Select(r => r.ItemSpec).ToArray());
            ComputedContainerBaseImage = BaseImageInference.Infer(inputs);
            Log.LogMessage(MessageImportance.High,
                $"ContainerBaseImage is {ComputedContainerBaseImage}, inferred from the project (target framework {inputs.TargetFrameworkVersion}, SDK {inputs.SdkVersion}). Set ContainerBaseImage to choose another.");
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
