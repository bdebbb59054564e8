using System.Text.Json.Nodes;

namespace Containers.Build.Images;

/// <summary>
/// The image's HEALTHCHECK (the Docker image config's <c>Healthcheck</c>): how an engine asks the container whether it is
/// healthy. <see cref="Test"/> is <c>["CMD", program, args…]</c>, <c>["CMD-SHELL", command]</c>, or <c>["NONE"]</c>,
/// which turns off a check the base image has. Options left null keep the engine's defaults (30 s, 30 s, 0 s, 3).
/// </summary>
public sealed record HealthCheck(IReadOnlyList<string> Test, TimeSpan? Interval = null, TimeSpan? Timeout = null, TimeSpan? StartPeriod = null, int? Retries = null)
{
    /// <summary>ContainerHealthCheck=none: no check, not even the base image's.</summary>
    public static HealthCheck Disabled { get; } = new(["NONE"]);

    public bool IsDisabled => Test is ["NONE"];

    /// <summary>Replaces the base's check, as Dockerfile's HEALTHCHECK does: options are not inherited.</summary>
    public void ApplyTo(JsonObject container)
    {
        var check = new JsonObject { ["Test"] = new JsonArray(Test.Select(t => (JsonNode)JsonValue.Create(t)).ToArray()) };
        // The config counts time in nanoseconds, as Go's time.Duration does.
        if (Interval is { } interval)
        {
            check["Interval"] = interval.Ticks * 100;
        }
        if (Timeout is { } timeout)
        {
            check["Timeout"] = timeout.Ticks * 100;
        }
        if (StartPeriod is { } startPeriod)
        {
            check["StartPeriod"] = startPeriod.Ticks * 100;
        }
        if (Retries is { } retries)
        {
            check["Retries"] = retries;
        }
        container["Healthcheck"] = check;
    }
}
