namespace Containers.Build.SupplyChain;

/// <summary>
/// What a publish's provenance says: the images it made (<see cref="Subjects"/>), how it was asked for (the project,
/// configuration, runtime identifiers and the container properties, which the caller gives without secrets), the SDK
/// that built it, and what it was made from (the base image, the source commit). <see cref="StartedOn"/> and
/// <see cref="FinishedOn"/> are given only when the caller wants clock times in the statement: without them the same
/// build gives the same bytes.
/// </summary>
public sealed record ProvenanceInput(
    IReadOnlyList<ProvenanceSubject> Subjects,
    string Project,
    string Configuration,
    IReadOnlyList<string> RuntimeIdentifiers,
    IReadOnlyDictionary<string, string> ContainerProperties,
    string SdkVersion,
    BaseImageIdentity BaseImage,
    SourceRepository? Source)
{
    public DateTimeOffset? StartedOn { get; init; }
    public DateTimeOffset? FinishedOn { get; init; }

    /// <summary>The version the statement gives for Containers.Build; tests set it so their expected bytes never move.</summary>
    public string ToolVersion { get; init; } = BuildTool.Version;
}
