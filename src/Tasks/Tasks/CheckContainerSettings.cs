using Microsoft.Build.Framework;

namespace Containers.Build.Tasks;

/// <summary>
/// Checks every container setting that needs only properties and items, before anything compiles, for one
/// platform or several: a typo in a tag or a port costs seconds, not a build. The same rules run again when
/// the image is published; this task only moves the failure earlier. It takes the project's values as they are,
/// defaults not yet applied, and applies them itself (<see cref="ContainerSettingsDefaults"/>, the base image's
/// inference), so that it can run at the start of the build in the build's own project instance and leave no
/// property set there.
/// </summary>
public sealed class CheckContainerSettings : ContainerSettingsTask
{
    /// <summary>@(FrameworkReference), for the base image's inference when ContainerBaseImage is empty.</summary>
    public ITaskItem[] FrameworkReferences { get; set; } = [];

    public override bool Execute()
    {
        try
        {
            ApplyDefaults();
            var inputs = SettingsInputs();
            // The targets list each platform once, as its builds will be.
            var platforms = (RuntimeIdentifiers ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
            ImageRequestParser.CheckSettings(inputs, platforms.Length > 0 ? platforms : [RuntimeIdentifier ?? ""], isMultiPlatform: platforms.Length > 0, _ => { });
        }
        catch (Exception e)
        {
            var (code, message) = ErrorBoundary.Diagnose(e, new ErrorBoundary.Context(BaseImage, UserBaseImage, IsMultiPlatform: !string.IsNullOrWhiteSpace(RuntimeIdentifiers)));
            Log.LogError(null, code, null, null, 0, 0, 0, 0, message);
            Log.LogMessage(MessageImportance.Low, e.ToString());
        }
        return !Log.HasLoggedErrors;
    }

    /// <summary>What the targets will set where the project set nothing, from the same values and by the same rules.</summary>
    private void ApplyDefaults()
    {
        var defaults = ContainerSettingsDefaults.Compute(Values, AppCommand.Length > 0, DateTime.UtcNow);
        Registry = Fill(Registry, defaults.Registry);
        ImageTag = Fill(ImageTag, defaults.ImageTag);
        WorkingDirectory = Fill(WorkingDirectory, defaults.WorkingDirectory);
        RuntimeIdentifier = Fill(RuntimeIdentifier, defaults.RuntimeIdentifier);
        ContentStoreDirectory = Fill(ContentStoreDirectory, defaults.ContentStoreDirectory);
        SharedCacheDirectory = Fill(SharedCacheDirectory, defaults.SharedCacheDirectory);
        ImageFactsPath = Fill(ImageFactsPath, defaults.ImageFactsPath);
        OutputDirectory = Fill(OutputDirectory, defaults.OutputDirectory);
        if (AppCommand.Length == 0)
        {
            AppCommand = MSBuildEscaping.AsItems(defaults.DefaultAppCommand);
        }
        UserBaseImage = Fill(UserBaseImage, Values["BaseImage"]);
        BaseImage = Fill(BaseImage, Values["BaseImage"]);
        if (string.IsNullOrWhiteSpace(BaseImage) && Values["TargetFrameworkVersion"].Length > 0)
        {
            BaseImage = BaseImageInference.Infer(ContainerSettingsDefaults.BaseImageInputs(Values, FrameworkReferences.Select(r => r.ItemSpec).ToArray()));
        }
    }

    private static string Fill(string? value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;
}
