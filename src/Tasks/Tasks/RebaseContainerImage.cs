using Containers.Build.Publishing.Rebase;
using Containers.Build.Registry;
using Microsoft.Build.Framework;

namespace Containers.Build.Tasks;

/// <summary>
/// Moves a published image onto its base's new digest without rebuilding it (<c>-t:RebaseImage</c>). A thin shell:
/// inputs go to <see cref="ImageRequestParser.ParseRebase"/>, the work to <see cref="ImageRebaser"/>, and failures
/// come back through <see cref="ErrorBoundary"/> as coded errors.
/// </summary>
public sealed class RebaseContainerImage : RegistryImageTask
{
    /// <summary>ContainerRebaseImage: the image to rebase (registry/repository:tag or @digest); empty: where PublishImage pushed it.</summary>
    public string? RebaseImage { get; set; }

    /// <summary>The digest the tags name now: the rebased image's, or the image's as it was when nothing moved.</summary>
    [Output] public string? GeneratedContainerDigest { get; private set; }
    [Output] public string? GeneratedContainerMediaType { get; private set; }
    [Output] public ITaskItem[] GeneratedContainerNames { get; private set; } = [];

    private protected override string Done => "rebased";

    private protected override string CancelledMessage =>
        "RebaseImage was cancelled; the tags are put only after every platform's image was sent, so they name the image as it was (or, if it was cancelled while tagging, some name the rebased one). Run it again.";

    private protected override ErrorBoundary.Context BoundaryContext => new(BaseImage, UserBaseImage, IsMultiPlatform: !string.IsNullOrWhiteSpace(RuntimeIdentifiers));

    private protected override Func<RegistryClientFactory, CancellationToken, Task<(IEnumerable<string> Details, string Summary)>> Prepare(ImageRequestParser.Inputs settings)
    {
        var request = ImageRequestParser.ParseRebase(settings, RebaseImage, Note, Warn);
        return async (clients, cancellationToken) =>
        {
            var outcome = await ImageRebaser.RebaseAsync(request, clients, cancellationToken, Warn).ConfigureAwait(false);
            GeneratedContainerDigest = outcome.NewDigest.ToString();
            GeneratedContainerMediaType = outcome.MediaType;
            GeneratedContainerNames = outcome.Rebased
                ? outcome.Names.Select(n => (ITaskItem)new Microsoft.Build.Utilities.TaskItem(n)).ToArray()
                : [new Microsoft.Build.Utilities.TaskItem(request.Image.ToString())];
            return (outcome.Details, outcome.Summary);
        };
    }
}
