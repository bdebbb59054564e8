using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// What the project asks of its image, on top of the base. Null means "as the base image has it" (or the
/// default derived from the base, such as the user from APP_UID).
/// </summary>
public sealed record ImageSettings
{
    public string WorkingDirectory { get; init; } = "/app";
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public string? User { get; init; }
    public IReadOnlyList<ExposedPort> Ports { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = [];

    /// <summary>The image's creation time. A fixed time, not the clock, so the same input gives the same digest.</summary>
    public DateTimeOffset Created { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary>The manifest format; null keeps the base image's.</summary>
    public ImageFormat? Format { get; init; }

    /// <summary>The app command, its arguments, default arguments and instruction; when set, it decides Entrypoint and Cmd instead of the two above.</summary>
    public ContainerCommand? Command { get; init; }

    /// <summary>ContainerHealthCheckCommand and its options, or ContainerHealthCheck=none; null keeps the base's.</summary>
    public HealthCheck? HealthCheck { get; init; }

    /// <summary>ContainerVolume items (absolute paths), added to the base's.</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];

    /// <summary>ContainerStopSignal (SIGTERM, 15, …); null keeps the base's.</summary>
    public string? StopSignal { get; init; }

    /// <summary>ContainerAnnotation items: the project's own manifest (and index) annotations.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Annotations { get; init; } = [];

    /// <summary>Which labels about the build itself (created, base.name, base.digest) the image gets.</summary>
    public LabelGeneration GeneratedLabels { get; init; } = LabelGeneration.None;
}
