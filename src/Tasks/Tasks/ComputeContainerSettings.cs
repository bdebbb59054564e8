using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace Containers.Build.Tasks;

/// <summary>
/// The settings' defaults (<see cref="ContainerSettingsDefaults"/>) for the targets to set as the SDK's public properties
/// (ContainerRegistry, ContainerImageTag, ContainerWorkingDirectory, ContainerRuntimeIdentifier, ContainerAppCommand, ...),
/// from the values the build has when the image is about to be made.
/// </summary>
public sealed class ComputeContainerSettings : MSBuildTask
{
    /// <summary>The settings, one item each (Containers.Build.Settings.targets).</summary>
    public ITaskItem[] Settings { get; set; } = [];

    /// <summary>@(ContainerAppCommand): when the project gives one, there is no default.</summary>
    public ITaskItem[] AppCommand { get; set; } = [];

    [Output] public string Registry { get; private set; } = "";
    [Output] public string ImageTag { get; private set; } = "";
    [Output] public string WorkingDirectory { get; private set; } = "";
    [Output] public string RuntimeIdentifier { get; private set; } = "";

    /// <summary>true or false, as MSBuild writes a switch.</summary>
    [Output] public string PortableIL { get; private set; } = "false";
    [Output] public string ImageFactsPath { get; private set; } = "";
    [Output] public string ContentStoreDirectory { get; private set; } = "";
    [Output] public string SharedCacheDirectory { get; private set; } = "";
    [Output] public string OutputDirectory { get; private set; } = "";
    [Output] public ITaskItem[] DefaultAppCommand { get; private set; } = [];

    public override bool Execute()
    {
        var result = ContainerSettingsDefaults.Compute(new SettingValues(Settings), AppCommand.Length > 0, DateTime.UtcNow);
        Registry = result.Registry;
        ImageTag = result.ImageTag;
        WorkingDirectory = result.WorkingDirectory;
        RuntimeIdentifier = result.RuntimeIdentifier;
        PortableIL = result.PortableIL ? "true" : "false";
        ImageFactsPath = result.ImageFactsPath;
        ContentStoreDirectory = result.ContentStoreDirectory;
        SharedCacheDirectory = result.SharedCacheDirectory;
        OutputDirectory = result.OutputDirectory;
        // Each part as given: an item's Include would take a ';' in a path for two entries and a '*' for a wildcard.
        DefaultAppCommand = MSBuildEscaping.AsItems(result.DefaultAppCommand);
        return true;
    }
}
