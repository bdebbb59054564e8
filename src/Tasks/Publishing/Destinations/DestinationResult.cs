using Containers.Build.Images;
using Containers.Build.References;

namespace Containers.Build.Publishing.Destinations;

/// <summary>
/// What one destination received: the names the image has there, a file path when it is a file (its facts go
/// next to it), what kind of place it is (the facts file's "kind"), the images it got (an engine gets one
/// platform's) and one line for the user.
/// </summary>
public sealed record DestinationResult(string Kind, IReadOnlyList<string> Names, string? Path, string Summary, ImageSet Sent)
{
    /// <summary>Whether <see cref="Path"/> is an archive file (GeneratedArchiveOutputPath), not a folder.</summary>
    public bool IsArchive { get; init; }

    /// <summary>The registry that holds the image now, for a registry destination (one of several ContainerRegistry may list).</summary>
    public RegistryHost? Registry { get; init; }
}

/// <summary>The values of <see cref="DestinationResult.Kind"/>, as the facts file writes them.</summary>
public static class DestinationKinds
{
    public const string Registry = "registry";
    public const string DockerArchive = "docker-archive";
    public const string OciArchive = "oci-archive";
    public const string OciLayout = "oci-layout";
    public const string LocalEngine = "local-engine";
}
