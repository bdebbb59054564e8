using Containers.Build.Publishing.Rebase;
using Containers.Build.Registry;
using Microsoft.Build.Framework;

namespace Containers.Build.Tasks;

/// <summary>
/// Moves a published image onto its base's new digest without rebuilding it (<c>-t:RebaseImage</c>). A thin shell:
/// inputs go to <see cref="ImageRequestParser.ParseRebase"/>, the work to <see cref="ImageRebaser"/>, and failures
/// come back through <see cref="ErrorBoundary"/> as coded errors.
/// </summary>
public sealed class RebaseContainerImage : ContainerSettingsTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancellation = new();

    // A warning this task logged that the build treats as an error (a lowercased ContainerRepository): nothing may be pushed.

    /// <summary>ContainerRebaseImage: the image to rebase (registry/repository:tag or @digest); empty: where PublishImage pushed it.</summary>
    public string? RebaseImage { get; set; }

    /// <summary>The digest the tags name now: the rebased image's, or the image's as it was when nothing moved.</summary>
    [Output] public string? GeneratedContainerDigest { get; private set; }
    [Output] public string? GeneratedContainerMediaType { get; private set; }
    [Output] public ITaskItem[] GeneratedContainerNames { get; private set; } = [];

    public void Cancel() => _cancellation.Cancel();

    public override bool Execute()
    {
        try
        {
            var settings = SettingsInputs();
            var request = ImageRequestParser.ParseRebase(settings, RebaseImage, message => Log.LogMessage(MessageImportance.High, message), Warn);
            if (WarningFailedBuild)
            {
                Log.LogMessage(MessageImportance.High, "Nothing was rebased: a warning above is treated as an error.");
                return !Log.HasLoggedErrors;
            }
            using var clients = CreateRegistryClients(settings);
            var outcome = ImageRebaser.RebaseAsync(request, clients, _cancellation.Token, Warn).GetAwaiter().GetResult();

            GeneratedContainerDigest = outcome.NewDigest.ToString();
            GeneratedContainerMediaType = outcome.MediaType;
            GeneratedContainerNames = outcome.Rebased
                ? outcome.Names.Select(n => (ITaskItem)new Microsoft.Build.Utilities.TaskItem(n)).ToArray()
                : [new Microsoft.Build.Utilities.TaskItem(request.Image.ToString())];
            foreach (var detail in outcome.Details)
            {
                Log.LogMessage(MessageImportance.Normal, detail);
            }
            Log.LogMessage(MessageImportance.High, outcome.Summary);
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            Log.LogError(null, DiagnosticCodes.Cancelled, null, null, 0, 0, 0, 0,
                "RebaseImage was cancelled; the tags are put only after every platform's image was sent, so they name the image as it was (or, if it was cancelled while tagging, some name the rebased one). Run it again.");
        }
        catch (Exception e)
        {
            var (code, message) = Diagnose(e);
            Log.LogError(null, code, null, null, 0, 0, 0, 0, message);
            Log.LogMessage(MessageImportance.Low, e.ToString());
        }
        return !Log.HasLoggedErrors;
    }


    /// <summary>Maps a failure to its code and a message that says what to do (<see cref="ErrorBoundary"/>).</summary>
    internal (string Code, string Message) Diagnose(Exception e)
        => ErrorBoundary.Diagnose(e, new ErrorBoundary.Context(BaseImage, UserBaseImage, IsMultiPlatform: !string.IsNullOrWhiteSpace(RuntimeIdentifiers)));
}
