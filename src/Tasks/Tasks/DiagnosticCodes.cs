namespace Containers.Build.Tasks;

/// <summary>Every diagnostic code the tasks emit. docs/errors.md explains each one; codes never change meaning.</summary>
public static class DiagnosticCodes
{
    /// <summary>An unexpected failure inside the tasks: a bug to report.</summary>
    public const string InternalError = "CB0001";

    /// <summary>The build was cancelled while the image was being built or pushed.</summary>
    public const string Cancelled = "CB0002";

    // Configuration (checked before any network call).
    public const string BaseImageMissing = "CB1001";
    public const string BaseImageInvalid = "CB1002";
    public const string RegistryInvalid = "CB1003";
    public const string RepositoryInvalid = "CB1004";
    public const string RepositoryNotDerivable = "CB1005";
    public const string TagInvalid = "CB1006";
    public const string TagAndTagsBothSet = "CB1007";
    public const string RuntimeIdentifierUnsupported = "CB1008";
    public const string ImageFormatInvalid = "CB1009";
    public const string PublishDirectoryMissing = "CB1010";
    public const string PortInvalid = "CB1011";
    public const string EnvironmentVariableInvalid = "CB1012";
    /// <summary>Retired: an empty ContainerRegistry now means a local engine or an archive.</summary>
    public const string RegistryMissing = "CB1013";
    public const string SourceDateEpochInvalid = "CB1014";
    public const string LabelInvalid = "CB1015";
    public const string WhiteoutFileName = "CB1016";
    public const string LayeringInvalid = "CB1017";
    public const string FileOwnerInvalid = "CB1018";
    public const string LocalRegistryInvalid = "CB1019";
    public const string ArchivePathInvalid = "CB1020";
    public const string UploadChunkSizeInvalid = "CB1021";
    public const string CaCertificatesInvalid = "CB1022";
    public const string RuntimeIdentifiersInvalid = "CB1023";
    public const string InsecureRegistriesInvalid = "CB1024";
    public const string RegistryTimeoutInvalid = "CB1025";

    /// <summary>A FIFO, socket or device in the publish output.</summary>
    public const string SpecialFileInPublishOutput = "CB1026";

    /// <summary>A published file whose name is not valid UTF-8.</summary>
    public const string FileNameNotUtf8 = "CB1027";

    // ContainerFile and ContainerDirectory items.
    /// <summary>A Destination (or a ContainerDirectory's Include) that is missing, not absolute, or has '.', '..' or empty parts.</summary>
    public const string ContainerItemPathInvalid = "CB1030";

    /// <summary>A ContainerFile or ContainerDirectory path with a part starting with '.wh.' (an OCI whiteout).</summary>
    public const string ContainerItemPathWhiteout = "CB1031";

    /// <summary>A Mode that is not an octal file mode.</summary>
    public const string ContainerItemModeInvalid = "CB1032";

    /// <summary>An Owner that is not root, app or uid[:gid].</summary>
    public const string ContainerItemOwnerInvalid = "CB1033";

    /// <summary>Two items at one path, or an item at a path the publish output also has.</summary>
    public const string ContainerItemCollision = "CB1034";

    /// <summary>A ContainerFile whose source does not exist or is not a file or a link.</summary>
    public const string ContainerFileSourceMissing = "CB1035";

    // ContainerLayer items.
    /// <summary>A ContainerLayer whose Include is not an image name (or is scratch), or whose Digest is not a digest.</summary>
    public const string ContainerLayerInvalid = "CB1036";

    // The rest of how the container runs, and item lists given as properties.
    /// <summary>A health check setting that is malformed or contradicts another (a duration, retries, none with a command, both forms).</summary>
    public const string HealthCheckInvalid = "CB1037";

    /// <summary>A ContainerVolume that is not an absolute path.</summary>
    public const string VolumeInvalid = "CB1038";

    /// <summary>A ContainerStopSignal that is not a Linux signal name or number.</summary>
    public const string StopSignalInvalid = "CB1039";

    /// <summary>An entry of ContainerEnvironmentVariables or ContainerLabels (the item lists as properties) without '=' or with an empty name.</summary>
    public const string ListPropertyEntryInvalid = "CB1040";

    /// <summary>ContainerNativeDependencyCheck is not true, error or false.</summary>
    public const string NativeDependencyCheckInvalid = "CB1041";

    /// <summary>A ContainerAnnotation with an empty name.</summary>
    public const string AnnotationInvalid = "CB1042";

    /// <summary>ContainerSbom is not spdx, cyclonedx or false.</summary>
    public const string SbomFormatInvalid = "CB1043";

    /// <summary>ContainerProvenance is not true or false.</summary>
    public const string ProvenanceInvalid = "CB1044";

    /// <summary>The base image's per-platform manifests are of different formats and no ContainerImageFormat settles it.</summary>
    public const string BaseImageFormatsMixed = "CB2007";

    // Publishing on several machines and joining the platforms (ContainerPublishUntagged, JoinImage).
    /// <summary>ContainerPublishUntagged is not true or false, or is set with platform tags, an archive, or no registry or OCI layout to push to.</summary>
    public const string PublishUntaggedInvalid = "CB1045";

    /// <summary>JoinImage was given no image to join (ContainerJoinImages and the ContainerJoinImage items are empty, or a wildcard matched nothing).</summary>
    public const string JoinImagesMissing = "CB1046";

    /// <summary>A JoinImage entry is not an image by digest, a facts file or an OCI layout (a tag alone, an archive, not a reference).</summary>
    public const string JoinImageInvalid = "CB1047";

    /// <summary>A facts file given to JoinImage does not exist, is not the JSON a publish writes, or records no registry or layout to read the image from.</summary>
    public const string JoinFactsUnreadable = "CB1048";

    /// <summary>JoinImage has no registry to push the index to (ContainerRegistry is empty), or several.</summary>
    public const string JoinRegistryInvalid = "CB1049";

    // Configuration surface: the SDK's properties, base-image inference, mirrors (CB11xx).
    public const string UserInvalid = "CB1101";
    public const string AppCommandInstructionInvalid = "CB1102";
    public const string AppCommandWithInstructionNone = "CB1103";
    public const string AppCommandArgsWithoutAppCommand = "CB1104";
    public const string WorkingDirectoryInvalid = "CB1105";
    public const string TargetFrameworkNotChosen = "CB1106";
    public const string BaseImageNotInferable = "CB1107";
    public const string MuslMixedWithGlibc = "CB1108";
    public const string ContainerFamilyInvalid = "CB1109";
    public const string RegistryMirrorInvalid = "CB1110";
    public const string EntrypointWithInstructionEntrypoint = "CB1111";
    public const string EntrypointArgsWithoutEntrypoint = "CB1112";

    /// <summary>ContainerRepositoryPrefix does not make a valid repository name with the name made from AssemblyName.</summary>
    public const string RepositoryPrefixInvalid = "CB1113";

    /// <summary>ContainerLayerCompressionLevel is not fastest, optimal or smallest.</summary>
    public const string LayerCompressionLevelInvalid = "CB1114";

    /// <summary>ContainerRegistryLayerCache is not true or false.</summary>
    public const string RegistryLayerCacheInvalid = "CB1115";

    /// <summary>ContainerLayerCompression is not gzip or zstd.</summary>
    public const string LayerCompressionInvalid = "CB1116";

    /// <summary>ContainerLayerCompression=zstd with an image in the Docker format (ContainerImageFormat=Docker, or a health check that asks for it).</summary>
    public const string ZstdInDockerFormat = "CB1117";

    // Registries.
    public const string BaseImageNotFound = "CB2001";
    public const string BaseImagePlatformMissing = "CB2002";
    public const string RegistryUnreachable = "CB2003";
    public const string RegistryAuthenticationFailed = "CB2004";
    public const string PushRefused = "CB2005";
    public const string BaseImageUnreadable = "CB2006";

    /// <summary>A registry accepted the connection and then stopped answering (or trickled) past ContainerRegistryTimeout.</summary>
    public const string RegistryStalled = "CB2008";

    /// <summary>Credentials were withheld: a token service that is not safe, or a challenge from a host that is not the registry.</summary>
    public const string CredentialsWithheld = "CB2009";

    // Base images from files (ContainerBaseImage=oci:, oci-archive:, docker-archive:).
    /// <summary>The file or directory a file-source base image names does not exist (or a blob it lists).</summary>
    public const string BaseImageFileMissing = "CB2010";

    /// <summary>The OCI layout has no image with the tag asked for.</summary>
    public const string BaseImageTagNotFound = "CB2011";

    /// <summary>No tag was given and the OCI layout holds several images.</summary>
    public const string BaseImageTagRequired = "CB2012";

    /// <summary>The image in the file source has no variant for a platform the app is built for.</summary>
    public const string BaseImageFilePlatformMissing = "CB2013";

    /// <summary>A blob of the file source does not match the digest that names it.</summary>
    public const string BaseImageFileDigestMismatch = "CB2014";

    /// <summary>The file source is not an OCI image layout, or a document in it cannot be read.</summary>
    public const string BaseImageFileInvalid = "CB2015";

    // Base images from a local engine (containers-storage:, docker-daemon:).
    /// <summary>The local engine has no image of the name ContainerBaseImage gives.</summary>
    public const string BaseImageNotInEngine = "CB2016";

    /// <summary>The local engine's CLI is not installed, does not answer, or failed to save the image.</summary>
    public const string BaseImageEngineUnusable = "CB2017";

    /// <summary>A ContainerLayer's Digest names no layer of its image (for a platform built).</summary>
    public const string ContainerLayerNotFound = "CB2018";

    // RebaseImage.
    /// <summary>RebaseImage cannot tell what to move: no such image, no base recorded in it, or a base that is not in a registry.</summary>
    public const string RebaseBaseUnknown = "CB2019";

    /// <summary>RebaseImage: the image's lowest layers are not those of the base it records, or that base is gone from its registry.</summary>
    public const string RebaseBaseNotPrefix = "CB2020";

    // Several registries (ContainerRegistry=a;b). One of them failing alone keeps that failure's own code.
    /// <summary>Two or more of the registries ContainerRegistry lists did not take the image; each is named with its own code.</summary>
    public const string SeveralRegistriesFailed = "CB2021";

    // JoinImage.
    /// <summary>JoinImage: two images to join are for the same platform; an index holds one image per platform.</summary>
    public const string JoinPlatformTwice = "CB2022";

    /// <summary>JoinImage: some images to join are OCI manifests and some Docker's; an index is of one format.</summary>
    public const string JoinFormatsMixed = "CB2023";

    /// <summary>JoinImage: an image to join is not where it was named (no such manifest in the registry, no such layout, tag or blob).</summary>
    public const string JoinImageNotFound = "CB2024";

    /// <summary>JoinImage: an image to join could not be read as a platform's image (not an image, a blob that does not match its digest, not a layout).</summary>
    public const string JoinImageUnreadable = "CB2025";

    // Local engines and files.
    public const string LocalEngineFailed = "CB3002";

    // Local files.
    public const string LayerWriteFailed = "CB3001";

    /// <summary>The publish folder's deps.json or runtimeconfig.json, which the SBOM is made from, cannot be read.</summary>
    public const string SbomSourceUnreadable = "CB3003";

    // Warnings.
    public const string SecretLookingFile = "CB4001";

    /// <summary>A stored layer no longer matched its digest and was made again.</summary>
    public const string CorruptLayerRemade = "CB4002";

    /// <summary>ContainerImageName (obsolete, as in the SDK) names the repository.</summary>
    public const string ImageNameObsolete = "CB4003";

    /// <summary>ContainerEntrypointArgs alone, the SDK's older form, become the default arguments.</summary>
    public const string EntrypointArgsObsolete = "CB4004";

    /// <summary>ContainerRepository with capitals was lowercased.</summary>
    public const string RepositoryLowercased = "CB4005";

    /// <summary>A health check in an image written in the OCI format, where podman and docker do not read it.</summary>
    public const string HealthCheckIgnoredInOci = "CB4006";

    /// <summary>A native library (or executable) in the app needs libraries the image does not have (an error with ContainerNativeDependencyCheck=error).</summary>
    public const string NativeLibraryMissing = "CB4007";

    /// <summary>A musl native file on a glibc base, or the reverse (an error with ContainerNativeDependencyCheck=error).</summary>
    public const string NativeLibcMismatch = "CB4008";

    /// <summary>A registry refused an SBOM or provenance attached to the image; the image itself was pushed.</summary>
    public const string AttachmentRefused = "CB4009";

    /// <summary>The native dependency check could not read the image (a base layer it could not fetch or list).</summary>
    public const string NativeCheckSkipped = "CB4010";
}
