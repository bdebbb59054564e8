using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>What went wrong reading a base image from a file source (an OCI layout directory or archive, a docker-archive).</summary>
public enum BaseImageFileFailure
{
    /// <summary>The file or directory does not exist.</summary>
    Missing,
    /// <summary>No image there has the tag asked for (<see cref="BaseImageFileException.Available"/> lists those there).</summary>
    TagNotFound,
    /// <summary>No tag was given, and there are several images to choose from.</summary>
    TagRequired,
    /// <summary>The image has no variant for a platform the app is built for (<see cref="BaseImageFileException.Available"/> lists its platforms).</summary>
    PlatformMissing,
    /// <summary>A blob's bytes do not match the digest that names them.</summary>
    DigestMismatch,
    /// <summary>Not an OCI image layout, or a document there that cannot be read.</summary>
    Invalid,
    /// <summary>The local engine (containers-storage:, docker-daemon:) has no image of that name.</summary>
    NotInEngine,
    /// <summary>The local engine's CLI is missing, does not answer, or failed to save the image.</summary>
    EngineUnusable,
}

/// <summary>
/// A base image named by a file source (ContainerBaseImage=oci:, oci-archive:, docker-archive:) or a local engine (containers-storage:, docker-daemon:) that cannot be used; the task gives
/// each <see cref="Failure"/> its code.
/// </summary>
public sealed class BaseImageFileException(BaseImageFileFailure failure, string source, string message, IReadOnlyList<string>? available = null, Digest? digest = null)
    : Exception(message)
{
    public BaseImageFileFailure Failure { get; } = failure;

    /// <summary>ContainerBaseImage as written.</summary>
    public string BaseImage { get; } = source;

    /// <summary>The tags or platforms there, for the failures about them.</summary>
    public IReadOnlyList<string> Available { get; } = available ?? [];

    /// <summary>The blob that did not match, for <see cref="BaseImageFileFailure.DigestMismatch"/>.</summary>
    public Digest? Digest { get; } = digest;
}
