using System.Globalization;
using System.Text.RegularExpressions;
using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Publishing;
using Containers.Build.Publishing.Destinations;
using Containers.Build.References;
using Containers.Build.Registry;

namespace Containers.Build.Tasks;

/// <summary>
/// Turns the task's raw MSBuild inputs into a <see cref="PublishRequest"/>. Every rule failure throws a
/// <see cref="ContainersBuildException"/> naming the property, the value and the fix. <see cref="CheckSettings"/>
/// applies every rule that needs only properties and items, before anything is compiled.
/// </summary>
public static partial class ImageRequestParser
{
    public sealed partial record Inputs
    {
        public string? BaseImage { get; init; }
        public string? Registry { get; init; }
        public string? Repository { get; init; }

        /// <summary>ContainerImageName (obsolete in the SDK): when set, it is the repository, with a warning.</summary>
        public string? ImageName { get; init; }
        public string? AssemblyName { get; init; }

        /// <summary>ContainerRepositoryPrefix: put before the repository made from AssemblyName, never before ContainerRepository.</summary>
        public string? RepositoryPrefix { get; init; }
        public string? ImageTag { get; init; }
        public string? ImageTags { get; init; }
        public string? RuntimeIdentifier { get; init; }
        public string? ImageFormat { get; init; }
        public string? PublishDirectory { get; init; }
        public string? ContentStoreDirectory { get; init; }
        public string? SharedCacheDirectory { get; init; }
        public string? WorkingDirectory { get; init; }
        public string? User { get; init; }
        public IReadOnlyList<string> AppCommand { get; init; } = [];
        public IReadOnlyList<(string Port, string? Type)> Ports { get; init; } = [];
        public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];
        public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = [];
        public string? SourceDateEpoch { get; init; }
        public string? Layering { get; init; }
        public string? FileOwner { get; init; }
        public IReadOnlyList<PublishItem> PublishItems { get; init; } = [];

        /// <summary>
        /// ContainerRuntimeIdentifiers: one publish per runtime identifier, published under an image index. When
        /// set, RuntimeIdentifier, PublishDirectory, PublishItems and StaticWebAssetPaths are not used.
        /// </summary>
        public IReadOnlyList<PlatformInput> Platforms { get; init; } = [];

        /// <summary>ContainerPublishPlatformTags: also tag each platform's manifest.</summary>
        public bool PlatformTags { get; init; }
        public IReadOnlyList<string> StaticWebAssetPaths { get; init; } = [];
        public string? RuntimeIdentifierGraphPath { get; init; }
        public string? ArchiveOutputPath { get; init; }
        public string? OciLayoutPath { get; init; }
        public string? LocalRegistry { get; init; }

        /// <summary>Where the archive goes when no engine is usable and nothing else was asked for (the project's output folder).</summary>
        public string? OutputDirectory { get; init; }

        /// <summary>Where the JSON facts about the published image are written.</summary>
        public string? FactsPath { get; init; }

        /// <summary>The time to use when SOURCE_DATE_EPOCH is not set (HEAD's commit time), else 1970.</summary>
        public DateTimeOffset? FallbackSourceDate { get; init; }
    }

    /// <summary>
    /// Every rule that needs only properties and items (no publish output): names, tags, formats, destinations,
    /// platforms, how the container runs, layering, owner, mirrors, chunk size, registry timeout, CA file and insecure registries.
    /// </summary>
    /// <param name="runtimeIdentifiers">The platforms the image is for (one, or ContainerRuntimeIdentifiers').</param>
    /// <param name="isMultiPlatform">Whether the tags will name an index (ContainerRuntimeIdentifiers), even of one platform.</param>
    public static void CheckSettings(Inputs inputs, IReadOnlyList<string> runtimeIdentifiers, bool isMultiPlatform, Action<string> log)
    {
        inputs = WithListProperties(inputs);
        var platforms = runtimeIdentifiers.Select(rid => string.IsNullOrWhiteSpace(rid) ? DefaultRuntimeIdentifier : rid.Trim())
            .Select(rid => (Rid: rid, Platform: ParsePlatform(rid))).ToArray();
        CheckPlatformsDistinct(platforms);
        ParseSettings(inputs with { Platforms = isMultiPlatform ? platforms.Select(p => new PlatformInput(p.Rid, null, [], [])).ToArray() : [] }, log);
        ParseRegistryClientSettings(inputs);
        ParseExtraFiles(inputs);
        ParseLayerImports(inputs);
        ParseNativeDependencyCheck(inputs.NativeDependencyCheck);
        ParseRegistryLayerCache(inputs.RegistryLayerCache);
        ParseLayerCompressionLevel(inputs.LayerCompressionLevel);
        ParseSbom(inputs.Sbom);
        ParseProvenance(inputs.Provenance);
    }

    /// <summary>How the registry clients talk: TLS trust and insecure hosts, chunk size, inactivity timeout.</summary>
    public sealed record RegistryClientSettings(TlsPolicy Tls, long ChunkSize, TimeSpan InactivityTimeout);

    /// <summary>
    /// ContainerRegistryCaCertificates, ContainerInsecureRegistries (with DOTNET_CONTAINER_INSECURE_REGISTRIES),
    /// ContainerUploadChunkSize (or the SDK's chunk size variables) and ContainerRegistryTimeout.
    /// </summary>
    public static RegistryClientSettings ParseRegistryClientSettings(Inputs inputs)
    {
        var insecure = RegistryClientFactory.InsecureFromEnvironment(System.Environment.GetEnvironmentVariable)
            .Concat(ParseInsecureRegistries(inputs.InsecureRegistries));
        return new RegistryClientSettings(new TlsPolicy(inputs.RegistryCaCertificates, insecure),
            ParseChunkSize(inputs.UploadChunkSize), ParseRegistryTimeout(inputs.RegistryTimeout));
    }

    /// <param name="log">Receives informational notes, such as a repository name made from the assembly name.</param>
    /// <param name="warn">Receives warnings (code, message), such as a ContainerRepository that had to be lowercased.</param>
    public static PublishRequest Parse(Inputs inputs, Action<string> log, Action<string, string>? warn = null)
    {
        inputs = WithListProperties(inputs);
        var (settings, destinations, names, partial) = ParseSettings(inputs, log, warn);
        var platforms = ParsePlatforms(inputs);
        if (partial.PlatformTags)
        {
            names = names with { PlatformTags = platforms.ToDictionary(p => p.Platform, p => (IReadOnlyList<string>)names.Tags.Select(t => $"{t}-{p.RuntimeIdentifier}").ToArray()) };
        }
        return new PublishRequest(partial.BaseImage, destinations, names, platforms,
            Path.GetFullPath(inputs.ContentStoreDirectory ?? Path.Combine(platforms[0].PublishDirectory, "..", "containers")), settings,
            partial.Layering, partial.FileOwner,
            string.IsNullOrWhiteSpace(inputs.FactsPath) ? null : Path.GetFullPath(inputs.FactsPath))
        {
            Mirrors = partial.Mirrors,
            IsMultiPlatform = inputs.Platforms.Count > 0,
            ExtraFiles = ParseExtraFiles(inputs),
            LayerImports = ParseLayerImports(inputs),
            NativeDependencyCheck = ParseNativeDependencyCheck(inputs.NativeDependencyCheck),
            RegistryLayerCache = ParseRegistryLayerCache(inputs.RegistryLayerCache),
            // The folder is resolved and made by the content store, which takes one it cannot make as none.
            SharedCacheDirectory = inputs.SharedCacheDirectory?.Trim() is { Length: > 0 } shared && !shared.Equals("false", StringComparison.OrdinalIgnoreCase)
                ? shared : null,
            LayerCompression = ParseLayerCompression(inputs.LayerCompression),
            LayerCompressionLevel = ParseLayerCompressionLevel(inputs.LayerCompressionLevel),
            SupplyChain = ParseSupplyChain(inputs, names.Repository),
        };
    }

    /// <summary>What the settings say besides the image settings, destinations and names.</summary>
    private sealed record OtherSettings(BaseImageLocation BaseImage, LayeringMode Layering, LayerOwner FileOwner, RegistryMirrors Mirrors, bool PlatformTags);

    private static (ImageSettings Settings, IReadOnlyList<IImageDestination> Destinations, ImageNames Names, OtherSettings Other) ParseSettings(Inputs inputs, Action<string> log, Action<string, string>? warn = null)
    {
        var baseImage = ParseBaseImage(inputs.BaseImage);
        var registries = ParseRegistries(inputs.Registry);
        var archive = ParseArchivePath(inputs.ArchiveOutputPath);
        var layout = string.IsNullOrWhiteSpace(inputs.OciLayoutPath) ? null : Path.GetFullPath(inputs.OciLayoutPath.Trim());
        var localEngine = ParseLocalEngine(inputs.LocalRegistry);
        var repositorySetting = inputs.Repository;
        if (!string.IsNullOrWhiteSpace(inputs.ImageName))
        {
            warn?.Invoke(DiagnosticCodes.ImageNameObsolete,
                $"ContainerImageName is obsolete (as in the .NET SDK, whose warning is CONTAINER003) but still names the repository: '{inputs.ImageName.Trim()}'. Use ContainerRepository instead.");
            repositorySetting = inputs.ImageName;
        }
        var repository = ParseRepository(repositorySetting, inputs.AssemblyName, inputs.RepositoryPrefix, log, warn);
        var tags = ParseTags(inputs.ImageTag, inputs.ImageTags);
        var untagged = ParsePublishUntagged(inputs, registries, archive, layout);
        var format = ParseFormat(inputs.ImageFormat);
        var healthCheck = ParseHealthCheck(inputs);
        var compression = ParseLayerCompression(inputs.LayerCompression);
        var destinations = BuildDestinations(registries, archive, layout, localEngine, format, repository, inputs.OutputDirectory ?? inputs.PublishDirectory ?? ".");
        // An OCI layout or archive holds an OCI image unless the user asked otherwise. Several platforms in a
        // file are always an OCI archive (ArchiveDestination), whose index must then be an OCI index too.
        var multiPlatformArchive = inputs.Platforms.Count > 0 && destinations.Any(t => t is ArchiveDestination);
        if (multiPlatformArchive && format == Model.ImageFormat.Docker)
        {
            throw new ContainersBuildException(DiagnosticCodes.ImageFormatInvalid,
                "ContainerImageFormat=Docker cannot be written to ContainerArchiveOutputPath for several platforms: such an archive is an OCI image layout, whose index must be an OCI index. Leave ContainerImageFormat empty (or set it to OCI), or publish one platform (ContainerRuntimeIdentifier).");
        }
        if (format is null && (multiPlatformArchive || destinations.Any(t => t is OciLayoutDestination or ArchiveDestination { Format: ArchiveFormat.Oci })))
        {
            format = Model.ImageFormat.Oci;
        }
        if (compression == LayerCompression.Zstd)
        {
            format = ZstdFormat(format, runsHealthCheck: healthCheck is { IsDisabled: false });
        }
        if (healthCheck is not null)
        {
            if (format is null)
            {
                // HEALTHCHECK exists only in the Docker image config; podman and docker read it only from a Docker-format
                // image. A user who asks for a health check expects it to run, so the image is Docker-format.
                format = Model.ImageFormat.Docker;
            }
            else if (format == Model.ImageFormat.Oci)
            {
                warn?.Invoke(DiagnosticCodes.HealthCheckIgnoredInOci,
                    $"The health check is written into the image config, but the image is in the OCI format ({(string.IsNullOrWhiteSpace(inputs.ImageFormat) ? "an OCI layout or archive is written" : "ContainerImageFormat=OCI")}), where podman and docker do not read it: it will not run. Set ContainerImageFormat=Docker{(string.IsNullOrWhiteSpace(inputs.ImageFormat) ? "" : " (or leave it empty)")} for it to run, or let an orchestrator probe the app instead (Kubernetes ignores HEALTHCHECK in any format).");
            }
        }

        var workingDirectory = ParseWorkingDirectory(inputs.WorkingDirectory);
        var created = ParseSourceDateEpoch(inputs.SourceDateEpoch) ?? inputs.FallbackSourceDate ?? DateTimeOffset.UnixEpoch;
        var settings = new ImageSettings
        {
            // As given (the SDK's default is /app/): the image says what the project said.
            WorkingDirectory = workingDirectory,
            Entrypoint = inputs.AppCommand.Count > 0 ? inputs.AppCommand : null,
            User = ParseUser(inputs.User),
            Ports = inputs.Ports.Select(p => ParsePort(p.Port, p.Type)).ToArray(),
            Environment = inputs.Environment.Select(ValidateEnvironmentVariable).ToArray(),
            Labels = inputs.Labels.Select(ValidateLabel).ToArray(),
            Created = created,
            Format = format,
            Command = ParseCommand(inputs, warn),
            GeneratedLabels = inputs.GeneratedLabels,
            HealthCheck = healthCheck,
            Volumes = ParseVolumes(inputs.Volumes),
            StopSignal = ParseStopSignal(inputs.StopSignal),
            Annotations = ParseAnnotations(inputs.Annotations),
        };
        var other = new OtherSettings(baseImage, ParseLayering(inputs.Layering), ParseFileOwner(inputs.FileOwner, settings.User),
            RegistryMirrorSettings.Parse(inputs.RegistryMirrors, inputs.RegistryMirrorsEnvironment, log),
            inputs.PlatformTags && inputs.Platforms.Count > 0);
        // Several registries hold one image: its full name (archives, the SBOM's purls) is the first one's. By digest
        // only, the tags are still checked (JoinImage will put them), but nothing is named by them now.
        return (settings, destinations, new ImageNames(repository, untagged ? [] : tags) { Registry = registries.FirstOrDefault() }, other);
    }

    /// <summary>The single publish (RuntimeIdentifier, PublishDirectory), or one per ContainerRuntimeIdentifiers entry.</summary>
    private static IReadOnlyList<PlatformPublish> ParsePlatforms(Inputs inputs)
    {
        var graph = RuntimeIdentifierGraph.Load(inputs.RuntimeIdentifierGraphPath);
        PlatformPublish Parse(string? rid, string? publishDirectory, IReadOnlyList<PublishItem> items, IReadOnlyList<string> staticWebAssets)
        {
            rid = string.IsNullOrWhiteSpace(rid) ? DefaultRuntimeIdentifier : rid.Trim();
            var platform = ParsePlatform(rid);
            if (string.IsNullOrWhiteSpace(publishDirectory) || !Directory.Exists(publishDirectory))
            {
                throw new ContainersBuildException(DiagnosticCodes.PublishDirectoryMissing,
                    $"The publish directory '{publishDirectory}' does not exist. PublishImage runs after Publish; check PublishDir.");
            }
            return new PlatformPublish(rid, platform, Path.GetFullPath(publishDirectory),
                PublishItemClassifier.Classify(items, staticWebAssets, graph.CompatibleWith(rid)));
        }

        if (inputs.Platforms.Count == 0)
        {
            return [Parse(inputs.RuntimeIdentifier, inputs.PublishDirectory, inputs.PublishItems, inputs.StaticWebAssetPaths)];
        }
        var platforms = inputs.Platforms.Select(p => Parse(p.RuntimeIdentifier, p.PublishDirectory, p.PublishItems, p.StaticWebAssetPaths)).ToArray();
        CheckPlatformsDistinct(platforms.Select(p => (p.RuntimeIdentifier, p.Platform)).ToArray());
        return platforms;
    }

    /// <summary>An index has one manifest per platform: linux-x64 and linux-musl-x64 would both be linux/amd64.</summary>
    private static void CheckPlatformsDistinct(IReadOnlyList<(string Rid, Platform Platform)> platforms)
    {
        var clash = platforms.GroupBy(p => p.Platform).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            var rids = clash.Select(p => p.Rid).Distinct(StringComparer.Ordinal).ToArray();
            throw new ContainersBuildException(DiagnosticCodes.RuntimeIdentifiersInvalid, rids.Length == 1
                ? $"ContainerRuntimeIdentifiers lists {rids[0]} more than once; an image index holds one image per platform. List it once."
                : $"ContainerRuntimeIdentifiers has {string.Join(" and ", rids)}, which are the same platform ({clash.Key}); an image index holds one image per platform. Keep one of them.");
        }
    }

    private static BaseImageLocation ParseBaseImage(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ContainersBuildException(DiagnosticCodes.BaseImageMissing,
                "ContainerBaseImage is not set. Set it to the image to build on, e.g. -p:ContainerBaseImage=mcr.microsoft.com/dotnet/aspnet:10.0.");
        }
        try
        {
            return BaseImageLocation.Parse(value.Trim());
        }
        catch (InvalidReferenceException e)
        {
            throw new ContainersBuildException(DiagnosticCodes.BaseImageInvalid,
                $"ContainerBaseImage '{value}' is not a valid image reference: {e.Message} Use the form registry/repository:tag, e.g. mcr.microsoft.com/dotnet/aspnet:10.0, oci:PATH[:TAG] for an OCI image layout directory, oci-archive:PATH[:TAG] for a tar of one, docker-archive:PATH[:NAME:TAG] for what docker save writes, or containers-storage:NAME[:TAG] / docker-daemon:NAME[:TAG] for an image in podman / docker.");
        }
    }

    /// <summary>
    /// ContainerRegistry: one registry, or several separated by ';' or ',' that all get the same image, in this order.
    /// Entries are trimmed and a registry named twice (after normalization: case, docker.io) is pushed to once.
    /// </summary>
    private static IReadOnlyList<RegistryHost> ParseRegistries(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }
        var entries = value.Split([';', ','], StringSplitOptions.TrimEntries);
        var registries = new List<RegistryHost>();
        foreach (var entry in entries)
        {
            if (entry.Length == 0)
            {
                // Not skipped: "a;;b" or a stray separator is more often a property that expanded to nothing than a wish.
                throw new ContainersBuildException(DiagnosticCodes.RegistryInvalid,
                    $"ContainerRegistry '{value}' has an empty entry. List host[:port] entries separated by ';' (or ','), e.g. a.example.com;b.example.com:5000, with nothing empty between or around them.");
            }
            if (!RegistryHost.TryParse(entry, out var registry, out var reason))
            {
                // One entry keeps the words it always had; in a list, the entry at fault is named.
                throw new ContainersBuildException(DiagnosticCodes.RegistryInvalid, entries.Length == 1
                    ? $"ContainerRegistry '{value}' is not a registry: {reason}."
                    : $"ContainerRegistry entry '{entry}' is not a registry: {reason}. List host[:port] entries separated by ';' (or ',').");
            }
            if (!registries.Contains(registry))
            {
                registries.Add(registry);
            }
        }
        return registries;
    }

    private static string? ParseArchivePath(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var path = value.Trim();
        if (path.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            throw new ContainersBuildException(DiagnosticCodes.ArchivePathInvalid, $"ContainerArchiveOutputPath '{value}' is not a valid path.");
        }
        return path;
    }

    private static LocalEngine? ParseLocalEngine(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        return value.Trim().ToLowerInvariant() switch
        {
            "docker" => LocalEngine.Docker,
            "podman" => LocalEngine.Podman,
            _ => throw new ContainersBuildException(DiagnosticCodes.LocalRegistryInvalid,
                $"LocalRegistry '{value}' is not a container engine. Use Docker or Podman, or leave it empty to use whichever is available."),
        };
    }

    /// <summary>
    /// Every destination asked for: registries (each of ContainerRegistry's, in order), an archive, an OCI layout (any
    /// combination). With none of them, a local engine (LocalRegistry, else whichever answers), and failing that an
    /// archive in the output folder.
    /// </summary>
    private static IReadOnlyList<IImageDestination> BuildDestinations(IReadOnlyList<RegistryHost> registries, string? archive, string? layout, LocalEngine? engine, ImageFormat? format, string repository, string outputDirectory)
    {
        var destinations = new List<IImageDestination>(registries.Select(registry => new RegistryDestination(registry)));
        if (archive is not null)
        {
            destinations.Add(ArchiveDestinationFor(archive, format, repository));
        }
        if (layout is not null)
        {
            destinations.Add(new OciLayoutDestination(layout));
        }
        if (destinations.Count == 0)
        {
            destinations.Add(new LocalEngineDestination(engine, Path.GetFullPath(Path.Combine(outputDirectory, ArchiveFileName(repository, ".tar")))));
        }
        return destinations;
    }

    /// <summary>A directory gets &lt;repository&gt;.tar; .oci.tar (or ContainerImageFormat=OCI) means an OCI archive; .tar.gz and .tgz are gzipped.</summary>
    internal static ArchiveDestination ArchiveDestinationFor(string path, ImageFormat? format, string repository)
    {
        var isDirectory = path.EndsWith('/') || path.EndsWith('\\') || Directory.Exists(path);
        var file = Path.GetFullPath(isDirectory ? Path.Combine(path, ArchiveFileName(repository, format == Model.ImageFormat.Oci ? ".oci.tar" : ".tar")) : path);
        var name = Path.GetFileName(file).ToLowerInvariant();
        var gzip = name.EndsWith(".tar.gz", StringComparison.Ordinal) || name.EndsWith(".tgz", StringComparison.Ordinal);
        var oci = format == Model.ImageFormat.Oci || name.EndsWith(".oci.tar", StringComparison.Ordinal) || name.EndsWith(".oci.tar.gz", StringComparison.Ordinal);
        return new ArchiveDestination(file, oci ? ArchiveFormat.Oci : ArchiveFormat.Docker, gzip);
    }

    private static string ArchiveFileName(string repository, string extension) => repository.Replace('/', '-') + extension;

    private static string ParseRepository(string? repository, string? assemblyName, string? prefix, Action<string> log, Action<string, string>? warn)
    {
        if (!string.IsNullOrWhiteSpace(repository))
        {
            var trimmed = repository.Trim();
            // Capitals are the one thing lowercasing fixes (the SDK lowercases silently); anything else is an error.
            if (!RepositoryName.IsValid(trimmed) && RepositoryName.IsValid(trimmed.ToLowerInvariant()))
            {
                var lowered = trimmed.ToLowerInvariant();
                warn?.Invoke(DiagnosticCodes.RepositoryLowercased,
                    $"ContainerRepository '{trimmed}' has capitals, which repository names cannot have: the image is published as '{lowered}'. Set ContainerRepository to '{lowered}' to say so.");
                return lowered;
            }
            if (!RepositoryName.IsValid(trimmed))
            {
                var suggestion = RepositoryName.TryMakeValid(trimmed);
                throw new ContainersBuildException(DiagnosticCodes.RepositoryInvalid,
                    $"ContainerRepository '{repository}' is not a valid repository name: use lowercase letters, digits and separators ('.', '_', '-'), in components separated by '/'"
                    + (suggestion is null ? "." : $", e.g. '{suggestion}'."));
            }
            return trimmed;
        }
        var derived = RepositoryName.TryMakeValid(assemblyName ?? "");
        if (derived is null)
        {
            throw new ContainersBuildException(DiagnosticCodes.RepositoryNotDerivable,
                $"No repository name can be made from AssemblyName '{assemblyName}'. Set ContainerRepository, e.g. <ContainerRepository>my-app</ContainerRepository>.");
        }
        // Lowercasing alone is expected (the SDK does it silently); anything more deserves a word.
        if (!string.Equals(derived, assemblyName?.ToLowerInvariant(), StringComparison.Ordinal))
        {
            log($"ContainerRepository is '{derived}', made from AssemblyName '{assemblyName}' (repository names are lowercase letters, digits and separators). Set ContainerRepository to choose another.");
        }
        return WithPrefix(prefix, derived);
    }

    /// <summary>
    /// ContainerRepositoryPrefix before a repository made from AssemblyName: 'team' and 'team/' both give team/app. The
    /// prefix is the project's own words, so it is checked as given (never lowercased behind its back).
    /// </summary>
    private static string WithPrefix(string? prefix, string derived)
    {
        if (string.IsNullOrWhiteSpace(prefix))
        {
            return derived;
        }
        var trimmed = prefix.Trim().TrimEnd('/');
        var repository = $"{trimmed}/{derived}";
        if (trimmed.Length == 0 || !RepositoryName.IsValid(repository))
        {
            var suggestion = RepositoryName.TryMakeValid(trimmed);
            throw new ContainersBuildException(DiagnosticCodes.RepositoryPrefixInvalid,
                $"ContainerRepositoryPrefix '{prefix}' does not make a valid repository name ('{repository}'): use lowercase letters, digits and separators ('.', '_', '-'), in components separated by '/'"
                + (suggestion is null ? "." : $", e.g. '{suggestion}/'."));
        }
        return repository;
    }

    private static IReadOnlyList<string> ParseTags(string? tag, string? tags)
    {
        if (!string.IsNullOrWhiteSpace(tag) && !string.IsNullOrWhiteSpace(tags))
        {
            throw new ContainersBuildException(DiagnosticCodes.TagAndTagsBothSet,
                $"Both ContainerImageTag ('{tag}') and ContainerImageTags ('{tags}') are set. Set only one: ContainerImageTags takes a ';'-separated list.");
        }
        var list = !string.IsNullOrWhiteSpace(tags)
            ? tags.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [string.IsNullOrWhiteSpace(tag) ? "latest" : tag.Trim()];
        var property = !string.IsNullOrWhiteSpace(tags) ? "ContainerImageTags" : "ContainerImageTag";
        foreach (var t in list)
        {
            if (!ImageTag.IsValid(t))
            {
                throw new ContainersBuildException(DiagnosticCodes.TagInvalid,
                    $"{property} has an invalid tag '{t}': a tag is 1 to 128 letters, digits, '_', '.' and '-', and does not start with '.' or '-'.");
            }
        }
        return list.Distinct(StringComparer.Ordinal).ToArray();
    }

    private const string DefaultRuntimeIdentifier = "linux-x64";

    private static Platform ParsePlatform(string rid)
    {
        if (!Platform.TryFromRuntimeIdentifier(rid, out var platform))
        {
            throw new ContainersBuildException(DiagnosticCodes.RuntimeIdentifierUnsupported,
                $"ContainerRuntimeIdentifier '{rid}' does not name a container platform. Use a Linux runtime identifier such as linux-x64 or linux-arm64.");
        }
        return platform;
    }

    /// <summary>
    /// zstd layers exist only in OCI manifests: Docker's schema2 has no media type for them. Left to the base, the format
    /// is OCI (its gzip base layers are relabelled, as ContainerImageFormat=OCI does); asked for as Docker, by the property
    /// or by a health check (which runs only from a Docker-format image), it is CB1117. ContainerHealthCheck=none
    /// needs no Docker format: an OCI image's health check is not run anyway.
    /// </summary>
    private static ImageFormat ZstdFormat(ImageFormat? format, bool runsHealthCheck)
    {
        if (format == Model.ImageFormat.Docker)
        {
            throw new ContainersBuildException(DiagnosticCodes.ZstdInDockerFormat,
                "ContainerLayerCompression=zstd cannot be written with ContainerImageFormat=Docker: a Docker (v2 schema 2) manifest has no media type for zstd layers. Set ContainerImageFormat=OCI (or leave it empty, which makes a zstd image OCI), or ContainerLayerCompression=gzip to keep the Docker format.");
        }
        if (format is null && runsHealthCheck)
        {
            throw new ContainersBuildException(DiagnosticCodes.ZstdInDockerFormat,
                "ContainerLayerCompression=zstd needs an OCI image, and the health check (ContainerHealthCheckCommand) makes it a Docker image, the only format in which podman and docker run it: a Docker (v2 schema 2) manifest has no media type for zstd layers. Set ContainerLayerCompression=gzip to keep the health check running, or ContainerImageFormat=OCI to keep zstd (the health check is then not run by podman or docker).");
        }
        return Model.ImageFormat.Oci;
    }

    private static ImageFormat? ParseFormat(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        return value.Trim().ToLowerInvariant() switch
        {
            "oci" => ImageFormat.Oci,
            "docker" => ImageFormat.Docker,
            _ => throw new ContainersBuildException(DiagnosticCodes.ImageFormatInvalid,
                $"ContainerImageFormat '{value}' is not a format. Use OCI or Docker, or leave it empty to keep the base image's."),
        };
    }

    /// <summary>The SDK's variables for the chunk size, read when ContainerUploadChunkSize is empty, in this order.</summary>
    private static readonly string[] ChunkSizeVariables = ["DOTNET_CONTAINER_REGISTRY_CHUNKED_UPLOAD_SIZE_BYTES", "SDK_CONTAINER_REGISTRY_CHUNKED_UPLOAD_SIZE_BYTES"];

    /// <summary>
    /// ContainerUploadChunkSize in bytes (at least 1 MiB), else the SDK's DOTNET_/SDK_CONTAINER_REGISTRY_CHUNKED_UPLOAD_SIZE_BYTES;
    /// the client's default when none is set.
    /// </summary>
    public static long ParseChunkSize(string? value, Func<string, string?>? getVariable = null)
    {
        var source = "ContainerUploadChunkSize";
        if (string.IsNullOrWhiteSpace(value))
        {
            getVariable ??= System.Environment.GetEnvironmentVariable;
            var variable = ChunkSizeVariables.FirstOrDefault(name => !string.IsNullOrWhiteSpace(getVariable(name)));
            if (variable is null)
            {
                return Registry.RegistryClient.DefaultChunkSize;
            }
            source = variable;
            value = getVariable(variable);
        }
        if (!long.TryParse(value!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) || bytes < 1024 * 1024)
        {
            throw new ContainersBuildException(DiagnosticCodes.UploadChunkSizeInvalid,
                $"{source} '{value}' is not a number of bytes of at least 1048576 (1 MiB). Use e.g. 16777216 for 16 MiB chunks, or leave it empty (64 MiB).");
        }
        return bytes;
    }

    /// <summary>ContainerRegistryTimeout in seconds: how long a registry request may move (almost) nothing; 60 s when empty.</summary>
    public static TimeSpan ParseRegistryTimeout(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Registry.RegistryTransport.DefaultInactivityTimeout;
        }
        if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < 1 || seconds > 86400)
        {
            throw new ContainersBuildException(DiagnosticCodes.RegistryTimeoutInvalid,
                $"ContainerRegistryTimeout '{value}' is not a whole number of seconds from 1 to 86400. It is how long a registry request may move (almost) nothing before it fails; use e.g. 120, or leave it empty (60).");
        }
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>ContainerInsecureRegistries: host[:port] entries separated by ';' or ','.</summary>
    public static IReadOnlyList<string> ParseInsecureRegistries(string? value)
    {
        var entries = (value ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var entry in entries)
        {
            if (!RegistryHost.TryParse(entry, out _, out var reason))
            {
                throw new ContainersBuildException(DiagnosticCodes.InsecureRegistriesInvalid,
                    $"ContainerInsecureRegistries entry '{entry}' is not a registry ({reason}). List host[:port] entries separated by ';', e.g. registry.local:5000;10.0.0.5.");
            }
        }
        return entries;
    }

    private static LayeringMode ParseLayering(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return LayeringMode.ByChangeFrequency;
        }
        return value.Trim().ToLowerInvariant() switch
        {
            "single" => LayeringMode.Single,
            "bychangefrequency" or "default" => LayeringMode.ByChangeFrequency,
            _ => throw new ContainersBuildException(DiagnosticCodes.LayeringInvalid,
                $"ContainerLayering '{value}' is not a layering. Use ByChangeFrequency (the default: packages, project references, static web assets and the app in their own layers) or Single (one layer)."),
        };
    }

    /// <param name="user">ContainerUser, parsed: with no ContainerFileOwner, a numeric user owns the app's files, as the SDK does.</param>
    private static LayerOwner ParseFileOwner(string? value, string? user)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            var ids = (user ?? "").Split(':');
            return ids.Length is 1 or 2 && int.TryParse(ids[0], NumberStyles.None, CultureInfo.InvariantCulture, out var userId)
                ? new LayerOwner(userId, ids.Length == 2 && int.TryParse(ids[1], NumberStyles.None, CultureInfo.InvariantCulture, out var groupId) ? groupId : null, false)
                : LayerOwner.Root;
        }
        if (LayerOwner.TryParse(value.Trim(), out var owner))
        {
            return owner;
        }
        throw new ContainersBuildException(DiagnosticCodes.FileOwnerInvalid,
            $"ContainerFileOwner '{value}' is not an owner. Use root (the default), app (the image's user, for apps that write next to themselves) or a numeric uid[:gid].");
    }

    internal static ExposedPort ParsePort(string port, string? type)
    {
        var text = port.Trim();
        var protocol = string.IsNullOrWhiteSpace(type) ? null : type.Trim().ToLowerInvariant();
        var slash = text.IndexOf('/');
        if (slash >= 0)
        {
            var suffix = text[(slash + 1)..];
            text = text[..slash];
            if (suffix.Contains('/'))
            {
                throw PortError(port, "it has more than one '/'; write the number, optionally followed by /tcp or /udp");
            }
            protocol ??= suffix.ToLowerInvariant();
        }
        if (text.Length == 0)
        {
            throw PortError(port, "the port number is missing");
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            throw PortError(port, $"'{text}' is not a port number between 1 and 65535");
        }
        protocol ??= "tcp";
        if (protocol is not ("tcp" or "udp"))
        {
            throw PortError(port, $"'{protocol}' is not a protocol; use tcp or udp (the Type metadata)");
        }
        return new ExposedPort(number, protocol);
    }

    private static ContainersBuildException PortError(string port, string reason)
        => new(DiagnosticCodes.PortInvalid, $"ContainerPort '{port}' is not valid: {reason}.");

    private static KeyValuePair<string, string> ValidateEnvironmentVariable(KeyValuePair<string, string> variable)
    {
        if (!EnvironmentNamePattern().IsMatch(variable.Key))
        {
            throw new ContainersBuildException(DiagnosticCodes.EnvironmentVariableInvalid,
                $"ContainerEnvironmentVariable '{variable.Key}' is not a valid name: use letters, digits and '_', not starting with a digit.");
        }
        return variable;
    }

    private static KeyValuePair<string, string> ValidateLabel(KeyValuePair<string, string> label)
    {
        if (string.IsNullOrWhiteSpace(label.Key))
        {
            throw new ContainersBuildException(DiagnosticCodes.LabelInvalid, "A ContainerLabel item has an empty name. Give each label a name, e.g. <ContainerLabel Include=\"com.example.team\" Value=\"web\" />.");
        }
        return label;
    }

    private static DateTimeOffset? ParseSourceDateEpoch(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (!long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799)
        {
            throw new ContainersBuildException(DiagnosticCodes.SourceDateEpochInvalid,
                $"SOURCE_DATE_EPOCH '{value}' is not a number of seconds since 1970-01-01 UTC. Unset it or set it to e.g. $(git log -1 --format=%ct).");
        }
        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex EnvironmentNamePattern();
}
