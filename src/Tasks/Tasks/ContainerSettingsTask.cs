using System.Reflection;
using Containers.Build.Images;
using Containers.Build.Registry;
using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace Containers.Build.Tasks;

/// <summary>
/// The container settings a project gives (the .NET SDK's property and item names), shared by the task that
/// checks them before anything compiles (<see cref="CheckContainerSettings"/>) and the one that publishes
/// (<see cref="PublishContainerImage"/>). The targets give the properties as <see cref="Settings"/>, one item each
/// (<see cref="SettingValues"/>); each property can also be set directly.
/// </summary>
public abstract class ContainerSettingsTask : MSBuildTask
{
    /// <summary>The settings below by name (BaseImage, Registry, ImageTags, ...), one item each, the value in its Value metadata.</summary>
    public ITaskItem[] Settings { get; set; } = [];

    /// <summary>The settings as given, for what a task reads beyond the properties below (the defaults' inputs).</summary>
    private protected SettingValues Values => _values ??= new SettingValues(Settings);
    private SettingValues? _values;

    public string? BaseImage { get; set; }

    /// <summary>ContainerBaseImage as the project set it (empty when the base was inferred).</summary>
    public string? UserBaseImage { get; set; }
    public string? Registry { get; set; }
    public string? Repository { get; set; }

    /// <summary>ContainerImageName: the SDK's obsolete name for the repository, which it still honors (over ContainerRepository).</summary>
    public string? ImageName { get; set; }
    public string? AssemblyName { get; set; }

    /// <summary>ContainerRepositoryPrefix: put before the repository made from AssemblyName (a solution's images under team/).</summary>
    public string? RepositoryPrefix { get; set; }
    public string? ImageTag { get; set; }
    public string? ImageTags { get; set; }
    public string? RuntimeIdentifier { get; set; }

    /// <summary>ContainerRuntimeIdentifiers, for a multi-platform image (';'-separated).</summary>
    public string? RuntimeIdentifiers { get; set; }
    public string? ImageFormat { get; set; }
    public string? WorkingDirectory { get; set; }
    public string? User { get; set; }
    public string? ContentStoreDirectory { get; set; }

    /// <summary>$(ContainersBuildSharedCache): the machine's folder for base layers' file lists, or false for none.</summary>
    public string? SharedCacheDirectory { get; set; }
    public string? Layering { get; set; }
    public string? FileOwner { get; set; }

    /// <summary>ContainerPublishPlatformTags: also tag each platform's manifest &lt;tag&gt;-&lt;rid&gt;.</summary>
    public bool PublishPlatformTags { get; set; }

    /// <summary>ContainerPublishUntagged: true pushes the image by digest only (a runner's platform, for JoinImage to tag).</summary>
    public string? PublishUntagged { get; set; }

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

    /// <summary>ContainerUploadChunkSize: blobs larger than this many bytes are uploaded in chunks of this size.</summary>
    public string? UploadChunkSize { get; set; }

    /// <summary>ContainerRegistryTimeout: seconds a registry request may move (almost) nothing before it fails as stalled.</summary>
    public string? RegistryTimeout { get; set; }

    /// <summary>Where the JSON facts about the image go.</summary>
    public string? ImageFactsPath { get; set; }

    /// <summary>The project's folder: when it is in a git work tree, HEAD's commit time dates the image.</summary>
    public string? ProjectDirectory { get; set; }

    /// <summary>$(ContainerAppCommandInstruction): Entrypoint (default), DefaultArgs or None.</summary>
    public string? AppCommandInstruction { get; set; }

    /// <summary>org.opencontainers.image.created (and artifact.created), with the image's own time.</summary>
    public bool GenerateCreatedLabel { get; set; }

    /// <summary>org.opencontainers.image.base.name, the canonical base name.</summary>
    public bool GenerateBaseNameLabel { get; set; }

    /// <summary>org.opencontainers.image.base.digest, the digest the base name resolved to.</summary>
    public bool GenerateBaseDigestLabel { get; set; }

    public ITaskItem[] AppCommand { get; set; } = [];

    /// <summary>@(ContainerAppCommandArgs).</summary>
    public ITaskItem[] AppCommandArgs { get; set; } = [];

    /// <summary>@(ContainerDefaultArgs).</summary>
    public ITaskItem[] DefaultArgs { get; set; } = [];

    /// <summary>@(ContainerEntrypoint), the SDK's older items.</summary>
    public ITaskItem[] Entrypoint { get; set; } = [];

    /// <summary>@(ContainerEntrypointArgs), the SDK's older items.</summary>
    public ITaskItem[] EntrypointArgs { get; set; } = [];
    public ITaskItem[] Ports { get; set; } = [];
    public ITaskItem[] EnvironmentVariables { get; set; } = [];
    public ITaskItem[] Labels { get; set; } = [];

    /// <summary>@(ContainerRegistryMirror): Include is a registry, Mirror its mirror.</summary>
    public ITaskItem[] RegistryMirrors { get; set; } = [];

    /// <summary>@(ContainerFile): Destination, Mode and Owner metadata; globs keep %(RecursiveDir) under a Destination ending in '/'.</summary>
    public ITaskItem[] Files { get; set; } = [];

    /// <summary>@(ContainerDirectory): Include is the directory in the image; Mode and Owner metadata.</summary>
    public ITaskItem[] Directories { get; set; } = [];

    /// <summary>$(ContainerHealthCheckCommand): the health check's shell form.</summary>
    public string? HealthCheckShellCommand { get; set; }

    /// <summary>$(ContainerHealthCheck): none turns off the base image's check.</summary>
    public string? HealthCheck { get; set; }
    public string? HealthCheckInterval { get; set; }
    public string? HealthCheckTimeout { get; set; }
    public string? HealthCheckStartPeriod { get; set; }
    public string? HealthCheckRetries { get; set; }

    /// <summary>$(ContainerStopSignal).</summary>
    public string? StopSignal { get; set; }

    /// <summary>$(ContainerNativeDependencyCheck): true (warn), error or false.</summary>
    public string? NativeDependencyCheck { get; set; }

    /// <summary>$(ContainerRegistryLayerCache): true (look app layers up by input key in the destination registry's image) or false.</summary>
    public string? RegistryLayerCache { get; set; }

    /// <summary>$(ContainerLayerCompression): gzip or zstd.</summary>
    public string? LayerCompression { get; set; }

    /// <summary>$(ContainerLayerCompressionLevel): fastest, optimal or smallest.</summary>
    public string? LayerCompressionLevel { get; set; }

    /// <summary>$(ContainerSbom): spdx, cyclonedx or false; $(ContainerProvenance): true or false.</summary>
    public string? Sbom { get; set; }
    public string? Provenance { get; set; }

    /// <summary>What the SBOM and provenance say of the build: $(Version), $(NuGetPackageRoot), $(MSBuildProjectFile), $(Configuration), $(NETCoreSdkVersion), the source repository and commit.</summary>
    public string? AppVersion { get; set; }
    public string? NuGetPackageRoot { get; set; }
    public string? ProjectFile { get; set; }
    public string? Configuration { get; set; }
    public string? SdkVersion { get; set; }
    public string? SourceRepositoryUrl { get; set; }
    public string? SourceRevision { get; set; }

    /// <summary>@(ContainerHealthCheckCommand): the health check's exec form.</summary>
    public ITaskItem[] HealthCheckCommand { get; set; } = [];

    /// <summary>@(ContainerAnnotation): Value metadata.</summary>
    public ITaskItem[] Annotations { get; set; } = [];

    /// <summary>@(ContainerVolume): absolute paths that are volumes.</summary>
    public ITaskItem[] Volumes { get; set; } = [];


    /// <summary>@(ContainerLayer): Include names an image (as ContainerBaseImage does); Digest metadata picks one of its layers.</summary>
    public ITaskItem[] LayerImages { get; set; } = [];

    /// <summary>The settings as the parser takes them; the <see cref="Settings"/> fill what was not set directly.</summary>
    private protected ImageRequestParser.Inputs SettingsInputs()
    {
        ApplySettings();
        return new ImageRequestParser.Inputs
        {
            BaseImage = BaseImage,
            Registry = Registry,
            Repository = Repository,
            ImageName = ImageName,
            AssemblyName = AssemblyName,
            RepositoryPrefix = RepositoryPrefix,
            ImageTag = ImageTag,
            ImageTags = ImageTags,
            RuntimeIdentifier = RuntimeIdentifier,
            ImageFormat = ImageFormat,
            ContentStoreDirectory = ContentStoreDirectory,
            SharedCacheDirectory = SharedCacheDirectory,
            WorkingDirectory = WorkingDirectory,
            User = User,
            AppCommand = AppCommand.Select(i => i.ItemSpec).ToArray(),
            AppCommandArgs = AppCommandArgs.Select(i => i.ItemSpec).ToArray(),
            DefaultArgs = DefaultArgs.Select(i => i.ItemSpec).ToArray(),
            Entrypoint = Entrypoint.Select(i => i.ItemSpec).ToArray(),
            EntrypointArgs = EntrypointArgs.Select(i => i.ItemSpec).ToArray(),
            AppCommandInstruction = AppCommandInstruction,
            Ports = Ports.Select(i => (i.ItemSpec, (string?)i.GetMetadata("Type"))).ToArray(),
            Environment = EnvironmentVariables.Select(i => KeyValuePair.Create(i.ItemSpec, i.GetMetadata("Value"))).ToArray(),
            Labels = Labels.Select(i => KeyValuePair.Create(i.ItemSpec, i.GetMetadata("Value"))).ToArray(),
            GeneratedLabels = new LabelGeneration(GenerateCreatedLabel, GenerateBaseNameLabel, GenerateBaseDigestLabel),
            SourceDateEpoch = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"),
            Layering = Layering,
            FileOwner = FileOwner,
            PlatformTags = PublishPlatformTags,
            PublishUntagged = PublishUntagged,
            ArchiveOutputPath = ArchiveOutputPath,
            OciLayoutPath = OciLayoutPath,
            LocalRegistry = LocalRegistry,
            OutputDirectory = OutputDirectory,
            FactsPath = ImageFactsPath,
            RegistryMirrors = RegistryMirrors.Select(i => (i.ItemSpec, (string?)i.GetMetadata("Mirror"))).ToArray(),
            RegistryMirrorsEnvironment = Environment.GetEnvironmentVariable(global::Containers.Build.Registry.RegistryMirrors.EnvironmentVariable),
            UploadChunkSize = UploadChunkSize,
            RegistryTimeout = RegistryTimeout,
            InsecureRegistries = InsecureRegistries,
            RegistryCaCertificates = RegistryCaCertificates,
            ContainerFiles = Files.Select(i => new ImageRequestParser.ContainerFileInput(
                i.ItemSpec, i.GetMetadata("FullPath"), i.GetMetadata("Destination"), i.GetMetadata("RecursiveDir"),
                i.GetMetadata("Filename") + i.GetMetadata("Extension"), i.GetMetadata("Mode"), i.GetMetadata("Owner"))).ToArray(),
            ContainerDirectories = Directories.Select(i => new ImageRequestParser.ContainerDirectoryInput(i.ItemSpec, i.GetMetadata("Mode"), i.GetMetadata("Owner"))).ToArray(),
            HealthCheckCommand = HealthCheckCommand.Select(i => i.ItemSpec).ToArray(),
            HealthCheckShellCommand = HealthCheckShellCommand,
            HealthCheck = HealthCheck,
            HealthCheckInterval = HealthCheckInterval,
            HealthCheckTimeout = HealthCheckTimeout,
            HealthCheckStartPeriod = HealthCheckStartPeriod,
            HealthCheckRetries = HealthCheckRetries,
            StopSignal = StopSignal,
            NativeDependencyCheck = NativeDependencyCheck,
            RegistryLayerCache = RegistryLayerCache,
            LayerCompression = LayerCompression,
            LayerCompressionLevel = LayerCompressionLevel,
            Sbom = Sbom,
            Provenance = Provenance,
            AppVersion = AppVersion,
            NuGetPackageRoot = NuGetPackageRoot,
            ProjectFile = ProjectFile,
            Configuration = Configuration,
            SdkVersion = SdkVersion,
            SourceRepositoryUrl = SourceRepositoryUrl,
            SourceRevision = SourceRevision,
            Volumes = Volumes.Select(i => i.ItemSpec).ToArray(),
            Annotations = Annotations.Select(i => KeyValuePair.Create(i.ItemSpec, i.GetMetadata("Value"))).ToArray(),
            ListEntries = ListPropertyEntries(),
            ContainerLayers = LayerImages.Select(i => new ImageRequestParser.ContainerLayerInput(i.ItemSpec, i.GetMetadata("Digest"))).ToArray(),
        };
    }

    /// <summary>
    /// The entries of the item lists given as properties (ContainerEnvironmentVariables, ContainerPorts, …), which the
    /// targets put on the <see cref="Settings"/> item under their own names. Read escaped and split here, on the ';'
    /// the user wrote: a %3B or %3D stays part of a name or value, and a '*' is a value, never a file wildcard (as it
    /// would be in an item's Include).
    /// </summary>
    private IReadOnlyList<(string Property, string Escaped)> ListPropertyEntries()
        => ImageRequestParser.ListProperties.Keys
            .SelectMany(property => Values.Escaped(property).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(entry => (property, entry)))
            .ToArray();

    /// <summary>Whether a warning of this task is an error by the build's rules (WarningsAsErrors, -warnaserror): then nothing may be sent.</summary>
    private protected bool WarningFailedBuild { get; private set; }

    /// <summary>A coded warning; one the build treats as an error marks the task failed (<see cref="WarningFailedBuild"/>).</summary>
    private protected void Warn(string code, string message)
    {
        Log.LogWarning(null, code, null, null, 0, 0, 0, 0, message);
        WarningFailedBuild |= (BuildEngine is IBuildEngine8 engine && engine.ShouldTreatWarningAsError(code)) || WarningsAsErrors.FromCommandLine(code);
    }

    /// <summary>A warning of the core, with the code and words <see cref="ErrorBoundary"/> gives it.</summary>
    private protected void Warn(Publishing.PublishWarning warning)
    {
        var (code, message) = ErrorBoundary.Describe(warning);
        Warn(code, message);
    }

    /// <summary>The registry clients the settings ask for (TLS trust, chunk size, inactivity timeout), retries logged.</summary>
    private protected RegistryClientFactory CreateRegistryClients(ImageRequestParser.Inputs settings)
    {
        var registrySettings = ImageRequestParser.ParseRegistryClientSettings(settings);
        return new RegistryClientFactory(tls: registrySettings.Tls)
        {
            ChunkSize = registrySettings.ChunkSize,
            InactivityTimeout = registrySettings.InactivityTimeout,
            OnRetry = message => Log.LogMessage(MessageImportance.Normal, message),
        };
    }

    private static readonly PropertyInfo[] SettingProperties = typeof(ContainerSettingsTask)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.DeclaringType == typeof(ContainerSettingsTask) && p.CanWrite && (p.PropertyType == typeof(string) || p.PropertyType == typeof(bool)))
        .ToArray();

    private void ApplySettings()
    {
        foreach (var property in SettingProperties)
        {
            var value = Values[property.Name];
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }
            if (property.PropertyType == typeof(bool))
            {
                if ((bool)property.GetValue(this)! == false)
                {
                    property.SetValue(this, string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase));
                }
            }
            else if (string.IsNullOrEmpty((string?)property.GetValue(this)))
            {
                property.SetValue(this, value);
            }
        }
    }
}
