using Microsoft.Build.Framework;

namespace Containers.Build.Tasks;

/// <summary>
/// Checks every container setting that needs only properties and items, before anything compiles, for one
/// platform or several: a typo in a tag or a port costs seconds, not a build. The same rules run again when
/// the image is published; this task only moves the failure earlier.
/// </summary>
public sealed class CheckContainerSettings : ContainerSettingsTask
{
    public override bool Execute()
    {
        try
        {
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
}
