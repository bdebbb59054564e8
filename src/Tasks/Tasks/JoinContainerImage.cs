using Containers.Build.Registry;
using Containers.Build.Publishing.Join;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Containers.Build.Tasks;

/// <summary>
/// Joins platform images published on separate machines into one index under the tags (<c>-t:JoinImage</c>). A thin
/// shell: inputs go to <see cref="ImageRequestParser.ParseJoin"/>, the work to <see cref="ImageJoiner"/>, and failures
/// come back through <see cref="ErrorBoundary"/> as coded errors.
/// </summary>
public sealed class JoinContainerImage : RegistryImageTask
{
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

    private protected override string Done => "joined";

    private protected override string CancelledMessage =>
        "JoinImage was cancelled; the tags are put only after every platform's image is in the repository, so they name what they named before (or, if it was cancelled while tagging, some name the new index). Run it again.";

    private protected override ErrorBoundary.Context BoundaryContext => new(null, null, IsMultiPlatform: true);

    private protected override Func<RegistryClientFactory, CancellationToken, Task<(IEnumerable<string> Details, string Summary)>> Prepare(ImageRequestParser.Inputs settings)
    {
        var request = ImageRequestParser.ParseJoin(settings, JoinImages, Images.Select(i => i.ItemSpec).ToArray(), Note, Warn);
        return async (clients, cancellationToken) =>
        {
            var outcome = await ImageJoiner.JoinAsync(request, clients, cancellationToken, Warn).ConfigureAwait(false);
            GeneratedContainerDigest = outcome.Index.Digest.ToString();
            GeneratedContainerMediaType = outcome.Index.MediaType;
            GeneratedContainerNames = outcome.Names.Select(n => (ITaskItem)new TaskItem(n)).ToArray();
            GeneratedImageFacts = request.FactsPath;
            GeneratedImageIndex = System.Text.Encoding.UTF8.GetString(outcome.Index.Bytes);
            return (outcome.Details, outcome.Summary);
        };
    }
}
