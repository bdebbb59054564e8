using Containers.Build.Layers;
using Containers.Build.Publishing;
using Containers.Build.Registry;
using Microsoft.Build.Framework;

namespace Containers.Build.Tasks;

/// <summary>
/// Builds the image from the publish output and sends it to its destinations. A thin shell: inputs go to
/// <see cref="ImageRequestParser"/>, the work to <see cref="ImagePublisher"/>, and failures come back through
/// <see cref="ErrorBoundary"/> as coded errors (docs/errors.md), never as an unhandled exception.
/// </summary>
public sealed class PublishContainerImage : ContainerSettingsTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancellation = new();

    // A warning this task logged that the build treats as an error: the image must not be sent.

    /// <summary>The publish folder of a single-platform publish (empty when <see cref="Platforms"/> is set).</summary>
    public string PublishDirectory { get; set; } = "";

    /// <summary>
    /// A multi-platform publish (ContainerRuntimeIdentifiers): one item per runtime identifier, with its
    /// PublishDirectory. Its PublishFiles and StaticWebAssets carry the same runtime identifier in
    /// ContainersBuildRuntimeIdentifier metadata. The tags then name an image index.
    /// </summary>
    public ITaskItem[] Platforms { get; set; } = [];

    /// <summary>@(ResolvedFileToPublish): RelativePath, NuGetPackageId and ReferenceSourceTarget decide each file's layer.</summary>
    public ITaskItem[] PublishFiles { get; set; } = [];

    /// <summary>Published static web assets, with their TargetPath.</summary>
    public ITaskItem[] StaticWebAssets { get; set; } = [];

    public string? RuntimeIdentifierGraphPath { get; set; }

    [Output] public string? GeneratedContainerDigest { get; private set; }
    [Output] public string? GeneratedContainerManifest { get; private set; }
    [Output] public string? GeneratedContainerConfiguration { get; private set; }
    [Output] public string? GeneratedContainerMediaType { get; private set; }
    [Output] public ITaskItem[] GeneratedContainerNames { get; private set; } = [];
    [Output] public string? GeneratedArchiveOutputPath { get; private set; }
    [Output] public string? GeneratedImageFacts { get; private set; }

    /// <summary>The image index JSON of a multi-platform publish (empty for a single image).</summary>
    [Output] public string? GeneratedImageIndex { get; private set; }

    public void Cancel() => _cancellation.Cancel();

    public override bool Execute()
    {
        try
        {
            var settings = SettingsInputs();
            var request = ImageRequestParser.Parse(settings with
            {
                PublishDirectory = PublishDirectory,
                FallbackSourceDate = string.IsNullOrWhiteSpace(settings.SourceDateEpoch) ? SourceDate.FromGit(ProjectDirectory) : null,
                PublishItems = new PublishItemsOfTaskItems(PublishFiles),
                StaticWebAssetPaths = ToStaticWebAssetPaths(StaticWebAssets),
                Platforms = Platforms.Select(p => new PlatformInput(
                    p.ItemSpec,
                    p.GetMetadata("PublishDirectory"),
                    new PublishItemsOfTaskItems(PublishFiles.Where(f => IsFor(f, p.ItemSpec)).ToArray()),
                    ToStaticWebAssetPaths(StaticWebAssets.Where(f => IsFor(f, p.ItemSpec))))).ToArray(),
                RuntimeIdentifierGraphPath = RuntimeIdentifierGraphPath,
            }, message => Log.LogMessage(MessageImportance.High, message), Warn);

            using var clients = CreateRegistryClients(settings);
            var publisher = new ImagePublisher(clients, Warn, () => WarningFailedBuild || Log.HasLoggedErrors, message => Log.LogMessage(MessageImportance.Low, message));
            var outcome = publisher.PublishAsync(request, _cancellation.Token).GetAwaiter().GetResult();
            var images = outcome.Images;

            // The digest and media type are what the tags name: the index of a multi-platform image.
            GeneratedContainerDigest = images.Digest.ToString();
            GeneratedContainerManifest = System.Text.Encoding.UTF8.GetString(images.Images[0].Manifest.Bytes);
            GeneratedContainerConfiguration = System.Text.Encoding.UTF8.GetString(images.Images[0].Config.Bytes);
            GeneratedContainerMediaType = images.MediaType;
            GeneratedImageIndex = images.Index is { } index ? System.Text.Encoding.UTF8.GetString(index.Bytes) : "";
            // Every name in every destination: with several registries, the image's name in each.
            GeneratedContainerNames = outcome.Destinations.SelectMany(d => d.Names).Distinct().Select(n => (ITaskItem)new Microsoft.Build.Utilities.TaskItem(n)).ToArray();
            GeneratedArchiveOutputPath = outcome.Destinations.Where(d => d.IsArchive).Select(d => d.Path).FirstOrDefault(p => p is not null);
            GeneratedImageFacts = request.FactsPath;
            foreach (var destination in outcome.Destinations)
            {
                Log.LogMessage(MessageImportance.High, WithJoinHint(request, destination));
            }
            Log.LogMessage(MessageImportance.Low, outcome.StageTimes);
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            var (code, message) = ErrorBoundary.Cancelled;
            Log.LogError(null, code, null, null, 0, 0, 0, 0, message);
        }
        catch (PublishStoppedException stopped)
        {
            // The error that stopped it is in the log already; say what was (not) done.
            Log.LogMessage(MessageImportance.High, stopped.Message);
        }
        catch (Exception e)
        {
            if (e is RegistryPushesFailedException partial)
            {
                // The registries that have the image say so as on success, before the error about those that do not.
                foreach (var destination in partial.Outcome.Destinations)
                {
                    Log.LogMessage(MessageImportance.High, destination.Summary);
                }
            }
            var (code, message) = Diagnose(e);
            Log.LogError(null, code, null, null, 0, 0, 0, 0, message);
            Log.LogMessage(MessageImportance.Low, e.ToString());
        }
        // A warning promoted by -warnaserror is an error only in the logger's eyes (it fails the build at its end):
        // returning false here without an error of the task's own would add MSB4181.
        return !Log.HasLoggedErrors;
    }


    /// <summary>Maps a failure to its code and a message that says what to do (<see cref="ErrorBoundary"/>).</summary>
    internal (string Code, string Message) Diagnose(Exception e)
        => ErrorBoundary.Diagnose(e, new ErrorBoundary.Context(BaseImage, UserBaseImage, IsMultiPlatform: Platforms.Length > 0));

    /// <summary>A destination's summary and, after a publish by digest only (ContainerPublishUntagged), how the runners' platforms get their tags.</summary>
    private static string WithJoinHint(PublishRequest request, Publishing.Destinations.DestinationResult destination)
    {
        if (request.Names.Tags.Count > 0 || destination.Kind is not (Publishing.Destinations.DestinationKinds.Registry or Publishing.Destinations.DestinationKinds.OciLayout))
        {
            return destination.Summary;
        }
        // The facts file names the registry's image; a layout's own reference names its image wherever the layout is copied.
        var entry = destination.Kind == Publishing.Destinations.DestinationKinds.Registry && request.FactsPath is { } facts ? facts : destination.Names[0];
        return $"{destination.Summary.TrimEnd('.')}. Join it with the other platforms' images under the tags: dotnet msbuild -t:JoinImage '-p:ContainerJoinImages=\"{entry};<other platform>\"' (docs/multi-runner.md).";
    }

    private static string[] ToStaticWebAssetPaths(IEnumerable<ITaskItem> items)
        => items.Select(i => i.GetMetadata("TargetPath")).Where(p => p.Length > 0).ToArray();

    private static bool IsFor(ITaskItem item, string runtimeIdentifier)
        => string.Equals(item.GetMetadata("ContainersBuildRuntimeIdentifier"), runtimeIdentifier, StringComparison.Ordinal);
}
