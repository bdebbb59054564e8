using Containers.Build.Publishing.Join;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Containers.Build.Tasks;

/// <summary>
/// Joins platform images published on separate machines into one index under the tags (<c>-t:JoinImage</c>). A thin
/// shell: inputs go to <see cref="ImageRequestParser.ParseJoin"/>, the work to <see cref="ImageJoiner"/>, and failures
/// come back through <see cref="ErrorBoundary"/> as coded errors.
/// </summary>
public sealed class JoinContainerImage : ContainerSettingsTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancellation = new();

    /// <summary>$(ContainerJoinImages) as written, for messages; the targets give its entries (wildcards expanded) in <see cref="Images"/>.</summary>
    public string? JoinImages { get; set; }

    /// <summary>Each image to join: registry/repository@sha256:…, a runner's facts file, oci:DIR[:TAG|@DIGEST] or a layout directory.</summary>
    public ITaskItem[] Images { get; set; } = [];

    /// <summary>The index's digest, which the tags name.</summary>
    [Output] public string? GeneratedContainerDigest { get; private set; }
    [Output] public string? GeneratedContainerMediaType { get; private set; }
    [Output] public ITaskItem[] GeneratedContainerNames { get; private set; } = [];
    [Output] public string? GeneratedImageFacts { get; private set; }

    /// <summary>The index JSON.</summary>
    [Output] public string? GeneratedImageIndex { get; private set; }

    public void Cancel() => _cancellation.Cancel();

    public override bool Execute()
    {
        try
        {
            var settings = SettingsInputs();
            var request = ImageRequestParser.ParseJoin(settings, JoinImages, Images.Select(i => i.ItemSpec).ToArray(), message => Log.LogMessage(MessageImportance.High, message), Warn);
            if (WarningFailedBuild)
            {
                Log.LogMessage(MessageImportance.High, "Nothing was joined: a warning above is treated as an error.");
                return !Log.HasLoggedErrors;
            }
            using var clients = CreateRegistryClients(settings);
            var outcome = ImageJoiner.JoinAsync(request, clients, _cancellation.Token, Warn).GetAwaiter().GetResult();

            GeneratedContainerDigest = outcome.Index.Digest.ToString();
            GeneratedContainerMediaType = outcome.Index.MediaType;
            GeneratedContainerNames = outcome.Names.Select(n => (ITaskItem)new TaskItem(n)).ToArray();
            GeneratedImageFacts = request.FactsPath;
            GeneratedImageIndex = System.Text.Encoding.UTF8.GetString(outcome.Index.Bytes);
            foreach (var detail in outcome.Details)
            {
                Log.LogMessage(MessageImportance.Normal, detail);
            }
            Log.LogMessage(MessageImportance.High, outcome.Summary);
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            Log.LogError(null, DiagnosticCodes.Cancelled, null, null, 0, 0, 0, 0,
                "JoinImage was cancelled; the tags are put only after every platform's image is in the repository, so they name what they named before (or, if it was cancelled while tagging, some name the new index). Run it again.");
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
        => ErrorBoundary.Diagnose(e, new ErrorBoundary.Context(null, null, IsMultiPlatform: true));
}
