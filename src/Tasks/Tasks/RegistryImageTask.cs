using Containers.Build.Registry;
using Microsoft.Build.Framework;

namespace Containers.Build.Tasks;

/// <summary>
/// The shell of the tasks that work on images already published, with no build (<c>-t:RebaseImage</c>,
/// <c>-t:JoinImage</c>): the settings parsed into the task's request (nothing is sent when a warning was treated as an
/// error), the step run with the project's registry clients, its details and summary logged, and every failure through
/// <see cref="ErrorBoundary"/> as one coded error.
/// </summary>
public abstract class RegistryImageTask : ContainerSettingsTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancellation = new();

    public void Cancel() => _cancellation.Cancel();

    /// <summary>What the step does, for the message when nothing was done: "rebased", "joined".</summary>
    private protected abstract string Done { get; }

    /// <summary>The error when the build is cancelled: what the tags name then, and what to do.</summary>
    private protected abstract string CancelledMessage { get; }

    /// <summary>How failures are explained (the base image, whether the image is multi-platform).</summary>
    private protected abstract ErrorBoundary.Context BoundaryContext { get; }

    /// <summary>
    /// Parses the request from the settings (throwing the settings' coded errors) and returns the step that carries it
    /// out with the registry clients: it sets the task's outputs and returns what to log.
    /// </summary>
    private protected abstract Func<RegistryClientFactory, CancellationToken, Task<(IEnumerable<string> Details, string Summary)>> Prepare(ImageRequestParser.Inputs settings);

    public override bool Execute()
    {
        try
        {
            var settings = SettingsInputs();
            var step = Prepare(settings);
            if (WarningFailedBuild)
            {
                Log.LogMessage(MessageImportance.High, $"Nothing was {Done}: a warning above is treated as an error.");
                return !Log.HasLoggedErrors;
            }
            using var clients = CreateRegistryClients(settings);
            var (details, summary) = step(clients, _cancellation.Token).GetAwaiter().GetResult();
            foreach (var detail in details)
            {
                Log.LogMessage(MessageImportance.Normal, detail);
            }
            Log.LogMessage(MessageImportance.High, summary);
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            Log.LogError(null, DiagnosticCodes.Cancelled, null, null, 0, 0, 0, 0, CancelledMessage);
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
    internal (string Code, string Message) Diagnose(Exception e) => ErrorBoundary.Diagnose(e, BoundaryContext);

    /// <summary>A note the parser gives (a repository derived from the assembly name, say), said as the publish says it.</summary>
    private protected void Note(string message) => Log.LogMessage(MessageImportance.High, message);
}
