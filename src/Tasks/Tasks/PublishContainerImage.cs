using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Registry;
using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace Containers.Build.Tasks;

/// <summary>
/// Builds the image from the publish output and pushes it to ContainerRegistry. A thin shell: inputs go to
/// <see cref="ImageRequestParser"/>, the work to <see cref="ImagePublisher"/>, and failures come back as
/// coded errors (docs/errors.md), never as an unhandled exception.
/// </summary>
public sealed partial class PublishContainerImage : MSBuildTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancellation = new();

    /// <summary>The publish folder of a single-platform publish (empty when <see cref="Platforms"/> is set).</summary>
    public string PublishDirectory { get; set; } = "";

    /// <summary>
    /// A multi-platform publish (ContainerRuntimeIdentifiers): one item per runtime identifier, with its
    /// PublishDirectory. Its PublishFiles and StaticWebAssets carry the same runtime identifier in
    /// ContainersBuildRuntimeIdentifier metadata. The tags then name an image index.
    /// </summary>
    public ITaskItem[] Platforms { get; set; } = [];

    /// <summary>ContainerPublishPlatformTags: also tag each platform's manifest &lt;tag&gt;-&lt;rid&gt;.</summary>
    public bool PublishPlatformTags { get; set; }

    public string? BaseImage { get; set; }
    public string? Registry { get; set; }
    public string? Repository { get; set; }
    public string? AssemblyName { get; set; }
    public string? ImageTag { get; set; }
    public string? ImageTags { get; set; }
    public string? RuntimeIdentifier { get; set; }
    public string? ImageFormat { get; set; }
    public string? WorkingDirectory { get; set; }
    public string? User { get; set; }
    public string? ContentStoreDirectory { get; set; }
    public ITaskItem[] AppCommand { get; set; } = [];
    public ITaskItem[] Ports { get; set; } = [];
    public ITaskItem[] EnvironmentVariables { get; set; } = [];
    public ITaskItem[] Labels { get; set; } = [];

    /// <summary>@(ResolvedFileToPublish): RelativePath, NuGetPackageId and ReferenceSourceTarget decide each file's layer.</summary>
    public ITaskItem[] PublishFiles { get; set; } = [];

    /// <summary>Published static web assets, with their TargetPath.</summary>
    public ITaskItem[] StaticWebAssets { get; set; } = [];

    public string? Layering { get; set; }
    public string? RuntimeIdentifierGraphPath { get; set; }

    /// <summary>ContainerArchiveOutputPath: a file (.tar, .tar.gz, .oci.tar) or a directory for &lt;repository&gt;.tar.</summary>
    public string? ArchiveOutputPath { get; set; }

    /// <summary>ContainerOciLayoutPath: an OCI image layout directory to add the image to.</summary>
    public string? OciLayoutPath { get; set; }

    /// <summary>LocalRegistry: Docker or Podman, used when there is no registry, archive or layout to write.</summary>
    public string? LocalRegistry { get; set; }

    /// <summary>The project's output folder, for the archive written when no container engine is usable.</summary>
    public string? OutputDirectory { get; set; }

    /// <summary>ContainerRegistryCaCertificates: a PEM bundle of CAs to trust besides the system store (private registries).</summary>
    public string? RegistryCaCertificates { get; set; }

    /// <summary>ContainerInsecureRegistries: host[:port] entries (';'-separated) that may use plain HTTP or unverified TLS.</summary>
    public string? InsecureRegistries { get; set; }

    /// <summary>ContainerBaseImage as the project set it (empty when the base was inferred).</summary>
    public string? UserBaseImage { get; set; }

    /// <summary>ContainerUploadChunkSize: blobs larger than this many bytes are uploaded in chunks of this size.</summary>
    public string? UploadChunkSize { get; set; }

    /// <summary>Where the JSON facts about the image go.</summary>
    public string? ImageFactsPath { get; set; }

    /// <summary>The project's folder: when it is in a git work tree, HEAD's commit time dates the image.</summary>
    public string? ProjectDirectory { get; set; }
    public string? FileOwner { get; set; }

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
            var request = ImageRequestParser.Parse(WithConfiguration(new ImageRequestParser.Inputs
            {
                BaseImage = BaseImage,
                Registry = Registry,
                Repository = Repository,
                AssemblyName = AssemblyName,
                ImageTag = ImageTag,
                ImageTags = ImageTags,
                RuntimeIdentifier = RuntimeIdentifier,
                ImageFormat = ImageFormat,
                PublishDirectory = PublishDirectory,
                ContentStoreDirectory = ContentStoreDirectory,
                WorkingDirectory = WorkingDirectory,
                User = User,
                AppCommand = AppCommand.Select(i => i.ItemSpec).ToArray(),
                Ports = Ports.Select(i => (i.ItemSpec, (string?)i.GetMetadata("Type"))).ToArray(),
                Environment = EnvironmentVariables.Select(i => KeyValuePair.Create(i.ItemSpec, i.GetMetadata("Value"))).ToArray(),
                Labels = Labels.Select(i => KeyValuePair.Create(i.ItemSpec, i.GetMetadata("Value"))).ToArray(),
                SourceDateEpoch = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"),
                FallbackSourceDate = string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH")) ? SourceDate.FromGit(ProjectDirectory) : null,
                Layering = Layering,
                FileOwner = FileOwner,
                PublishItems = ToPublishItems(PublishFiles),
                Platforms = Platforms.Select(p => new PlatformInput(
                    p.ItemSpec,
                    p.GetMetadata("PublishDirectory"),
                    ToPublishItems(PublishFiles.Where(f => IsFor(f, p.ItemSpec))),
                    ToStaticWebAssetPaths(StaticWebAssets.Where(f => IsFor(f, p.ItemSpec))))).ToArray(),
                PlatformTags = PublishPlatformTags,
                RuntimeIdentifierGraphPath = RuntimeIdentifierGraphPath,
                ArchiveOutputPath = ArchiveOutputPath,
                OciLayoutPath = OciLayoutPath,
                LocalRegistry = LocalRegistry,
                OutputDirectory = OutputDirectory,
                FactsPath = ImageFactsPath,
                StaticWebAssetPaths = ToStaticWebAssetPaths(StaticWebAssets),
            }), message => Log.LogMessage(MessageImportance.High, message));

            var insecure = RegistryClientFactory.InsecureFromEnvironment(Environment.GetEnvironmentVariable)
                .Concat((InsecureRegistries ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            using var clients = new RegistryClientFactory(tls: new TlsPolicy(RegistryCaCertificates, insecure))
            {
                ChunkSize = ImageRequestParser.ParseChunkSize(UploadChunkSize),
                OnRetry = message => Log.LogMessage(MessageImportance.Normal, message),
            };
            var publisher = new ImagePublisher(clients, (code, message) => Log.LogWarning(null, code, null, null, 0, 0, 0, 0, message));
            var outcome = publisher.PublishAsync(request, _cancellation.Token).GetAwaiter().GetResult();
            var images = outcome.Images;

            // The digest and media type are what the tags name: the index of a multi-platform image.
            GeneratedContainerDigest = images.Digest.ToString();
            GeneratedContainerManifest = System.Text.Encoding.UTF8.GetString(images.Images[0].Manifest.Bytes);
            GeneratedContainerConfiguration = System.Text.Encoding.UTF8.GetString(images.Images[0].Config.Bytes);
            GeneratedContainerMediaType = images.MediaType;
            GeneratedImageIndex = images.Index is { } index ? System.Text.Encoding.UTF8.GetString(index.Bytes) : "";
            GeneratedContainerNames = outcome.Destinations.SelectMany(d => d.Names).Distinct().Select(n => (ITaskItem)new Microsoft.Build.Utilities.TaskItem(n)).ToArray();
            GeneratedArchiveOutputPath = outcome.Destinations.Where(d => d.Target is Images.Destinations.ArchiveTarget or Images.Destinations.LocalEngineTarget).Select(d => d.Path).FirstOrDefault(p => p is not null);
            GeneratedImageFacts = request.FactsPath;
            foreach (var destination in outcome.Destinations)
            {
                Log.LogMessage(MessageImportance.High, destination.Summary);
            }
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            Log.LogError(null, DiagnosticCodes.Cancelled, null, null, 0, 0, 0, 0, "PublishImage was cancelled; no tag was changed and no partial file was left.");
        }
        catch (Exception e)
        {
            var (code, message) = Diagnose(e);
            Log.LogError(null, code, null, null, 0, 0, 0, 0, message);
            Log.LogMessage(MessageImportance.Low, e.ToString());
        }
        return !Log.HasLoggedErrors;
    }

    private static PublishItem[] ToPublishItems(IEnumerable<ITaskItem> items) => items
        .Select(i => new PublishItem(i.GetMetadata("RelativePath"), i.GetMetadata("NuGetPackageId"), i.GetMetadata("ReferenceSourceTarget"), i.GetMetadata("RuntimeIdentifier")))
        .Where(i => i.RelativePath.Length > 0)
        .ToArray();

    private static string[] ToStaticWebAssetPaths(IEnumerable<ITaskItem> items)
        => items.Select(i => i.GetMetadata("TargetPath")).Where(p => p.Length > 0).ToArray();

    private static bool IsFor(ITaskItem item, string runtimeIdentifier)
        => string.Equals(item.GetMetadata("ContainersBuildRuntimeIdentifier"), runtimeIdentifier, StringComparison.Ordinal);

    /// <summary>Maps a failure to its code and a message that says what to do.</summary>
    internal (string Code, string Message) Diagnose(Exception e) => e switch
    {
        ContainersBuildException known => (known.Code, known.Message),
        BaseImageNotFoundException notFound =>
            (DiagnosticCodes.BaseImageNotFound, $"{notFound.Message} Check ContainerBaseImage: the repository and tag must exist in that registry."),
        PlatformNotFoundException platform =>
            (DiagnosticCodes.BaseImagePlatformMissing, $"{platform.Message} Choose a base image that has it, or set {(Platforms.Length > 0 ? "ContainerRuntimeIdentifiers to runtime identifiers of platforms" : "ContainerRuntimeIdentifier to a runtime identifier of a platform")} it offers."),
        Registry.Auth.CredentialException credentials => (DiagnosticCodes.RegistryAuthenticationFailed, credentials.Message),
        RegistryUnreachableException unreachable =>
            (DiagnosticCodes.RegistryUnreachable, $"{unreachable.Message} Check that the registry is running and that ContainerRegistry / ContainerBaseImage name it correctly"
                + (string.IsNullOrWhiteSpace(UserBaseImage) ? "; the base image was inferred: offline, pull it through a mirror (ContainerRegistryMirror or CONTAINERS_BUILD_REGISTRY_MIRRORS)." : ".")),
        RegistryException { IsAuthenticationFailure: true } auth =>
            (DiagnosticCodes.RegistryAuthenticationFailed, $"{auth.Message} Log in with the credentials for this registry (DOTNET_CONTAINER_REGISTRY_UNAME and DOTNET_CONTAINER_REGISTRY_PWORD)."),
        RegistryException registry =>
            (DiagnosticCodes.PushRefused, $"{registry.Message} Check that the registry accepts pushes to this repository."),
        InvalidContentException invalid =>
            (DiagnosticCodes.BaseImageUnreadable, $"The base image {BaseImage} could not be read: {invalid.Message}"),
        _ => (DiagnosticCodes.InternalError, $"PublishImage failed unexpectedly: {e.GetType().Name}: {e.Message}. Please report this with the build log (-v:diag shows the details)."),
    };
}
