using System.Globalization;
using System.Text.RegularExpressions;
using Containers.Build.Images;

namespace Containers.Build.Tasks;

/// <summary>The rest of how the container runs: HEALTHCHECK, volumes and the stop signal.</summary>
public static partial class ImageRequestParser
{
    public sealed partial record Inputs
    {
        /// <summary>@(ContainerHealthCheckCommand): the health check's exec form (program and arguments).</summary>
        public IReadOnlyList<string> HealthCheckCommand { get; init; } = [];

        /// <summary>$(ContainerHealthCheckCommand): the health check's shell form (run by /bin/sh -c).</summary>
        public string? HealthCheckShellCommand { get; init; }

        /// <summary>$(ContainerHealthCheck): <c>none</c> turns off a check the base image has.</summary>
        public string? HealthCheck { get; init; }

        /// <summary>$(ContainerHealthCheckInterval), Timeout, StartPeriod: durations such as 30s or 1m30s.</summary>
        public string? HealthCheckInterval { get; init; }
        public string? HealthCheckTimeout { get; init; }
        public string? HealthCheckStartPeriod { get; init; }

        /// <summary>$(ContainerHealthCheckRetries): failures in a row before the container is unhealthy.</summary>
        public string? HealthCheckRetries { get; init; }

        /// <summary>@(ContainerVolume) (and $(ContainerVolumes)): absolute paths that are volumes.</summary>
        public IReadOnlyList<string> Volumes { get; init; } = [];

        /// <summary>$(ContainerStopSignal): the signal that stops the container.</summary>
        public string? StopSignal { get; init; }

        /// <summary>@(ContainerAnnotation) (and $(ContainerAnnotations)): the manifest's (and index's) own annotations, Value metadata.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Annotations { get; init; } = [];
    }

    /// <summary>ContainerAnnotation items: a non-empty name without control characters.</summary>
    internal static IReadOnlyList<KeyValuePair<string, string>> ParseAnnotations(IReadOnlyList<KeyValuePair<string, string>> annotations)
    {
        foreach (var (key, _) in annotations)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Any(char.IsControl))
            {
                throw new ContainersBuildException(DiagnosticCodes.AnnotationInvalid,
                    $"The ContainerAnnotation '{key}' has no usable name. Give each annotation a name, e.g. <ContainerAnnotation Include=\"com.example.team\" Value=\"web\" />.");
            }
        }
        return annotations.Select(a => KeyValuePair.Create(a.Key.Trim(), a.Value)).ToArray();
    }

    /// <summary>ContainerHealthCheckCommand (items or property) with its options, ContainerHealthCheck=none, or null.</summary>
    internal static HealthCheck? ParseHealthCheck(Inputs inputs)
    {
        var options = new (string Property, string? Value)[]
        {
            ("ContainerHealthCheckInterval", inputs.HealthCheckInterval),
            ("ContainerHealthCheckTimeout", inputs.HealthCheckTimeout),
            ("ContainerHealthCheckStartPeriod", inputs.HealthCheckStartPeriod),
            ("ContainerHealthCheckRetries", inputs.HealthCheckRetries),
        };
        var optionsSet = options.Where(o => !string.IsNullOrWhiteSpace(o.Value)).Select(o => o.Property).ToArray();
        var shell = string.IsNullOrWhiteSpace(inputs.HealthCheckShellCommand) ? null : inputs.HealthCheckShellCommand.Trim();
        var exec = inputs.HealthCheckCommand.Count > 0 ? inputs.HealthCheckCommand : null;

        if (!string.IsNullOrWhiteSpace(inputs.HealthCheck))
        {
            if (!inputs.HealthCheck.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                throw HealthCheckError($"ContainerHealthCheck '{inputs.HealthCheck}' is not a value it takes. Set it to none to turn off the base image's health check, or leave it empty and give ContainerHealthCheckCommand.");
            }
            if (shell is not null || exec is not null || optionsSet.Length > 0)
            {
                throw HealthCheckError($"ContainerHealthCheck=none turns the health check off, but {string.Join(", ", (shell is not null || exec is not null ? ["ContainerHealthCheckCommand"] : Array.Empty<string>()).Concat(optionsSet))} {(optionsSet.Length + (shell is not null || exec is not null ? 1 : 0) == 1 ? "is" : "are")} set too. Remove one or the other.");
            }
            return HealthCheck.Disabled;
        }
        if (shell is not null && exec is not null)
        {
            throw HealthCheckError("Both ContainerHealthCheckCommand items (the exec form) and the ContainerHealthCheckCommand property (the shell form) are set. Keep one: the items for a program and its arguments, the property for a shell command line.");
        }
        if (shell is null && exec is null)
        {
            if (optionsSet.Length > 0)
            {
                throw HealthCheckError($"{string.Join(", ", optionsSet)} {(optionsSet.Length == 1 ? "is" : "are")} set but no ContainerHealthCheckCommand: options alone make no health check. Give the command (e.g. <ContainerHealthCheckCommand Include=\"curl;-f;http://localhost:8080/healthz\" />), or remove the options.");
            }
            return null;
        }
        if (exec is not null && exec.Any(string.IsNullOrEmpty))
        {
            throw HealthCheckError("A ContainerHealthCheckCommand item is empty. Give the program and each argument as an item.");
        }
        IReadOnlyList<string> test = exec is not null ? ["CMD", .. exec] : ["CMD-SHELL", shell!];
        var retries = string.IsNullOrWhiteSpace(inputs.HealthCheckRetries) ? (int?)null
            : int.TryParse(inputs.HealthCheckRetries.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1 ? count
            : throw HealthCheckError($"ContainerHealthCheckRetries '{inputs.HealthCheckRetries}' is not a whole number of at least 1.");
        return new HealthCheck(test,
            ParseDuration(inputs.HealthCheckInterval, "ContainerHealthCheckInterval"),
            ParseDuration(inputs.HealthCheckTimeout, "ContainerHealthCheckTimeout"),
            ParseDuration(inputs.HealthCheckStartPeriod, "ContainerHealthCheckStartPeriod"),
            retries);
    }

    /// <summary>A duration as Docker and Go write it: numbers with units, e.g. <c>30s</c>, <c>1m30s</c>, <c>1.5s</c>, <c>500ms</c>; at least 1 ms.</summary>
    internal static TimeSpan? ParseDuration(string? value, string property)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var text = value.Trim();
        var parts = DurationPartPattern().Matches(text);
        if (parts.Count == 0 || parts.Sum(p => p.Length) != text.Length)
        {
            throw HealthCheckError($"{property} '{value}' is not a duration. Write a number with a unit (h, m, s, ms, us, ns), or several: 30s, 1m30s, 1.5s, 500ms.");
        }
        decimal nanoseconds = 0;
        try
        {
            foreach (Match part in parts)
            {
                var number = decimal.Parse(part.Groups["number"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                nanoseconds += number * part.Groups["unit"].Value switch
                {
                    "h" => 3_600_000_000_000m,
                    "m" => 60_000_000_000m,
                    "s" => 1_000_000_000m,
                    "ms" => 1_000_000m,
                    "us" or "µs" => 1_000m,
                    _ => 1m,
                };
            }
        }
        catch (OverflowException)
        {
            nanoseconds = decimal.MaxValue;
        }
        // The config holds nanoseconds in a 64-bit integer, as Go's time.Duration (about 292 years).
        if (nanoseconds > long.MaxValue)
        {
            throw HealthCheckError($"{property} '{value}' is longer than a duration can be (about 292 years).");
        }
        // Engines refuse less than a millisecond (and take 0 as "the default"): say so now rather than at 'run'.
        if (nanoseconds < 1_000_000m)
        {
            throw HealthCheckError($"{property} '{value}' is shorter than 1ms, the least an engine takes. Leave it empty for the engine's default.");
        }
        return TimeSpan.FromTicks((long)(nanoseconds / 100m));
    }

    /// <summary>ContainerVolume items: absolute paths, without '.' or '..' parts, each once.</summary>
    internal static IReadOnlyList<string> ParseVolumes(IReadOnlyList<string> volumes)
    {
        var parsed = new List<string>();
        foreach (var volume in volumes)
        {
            var text = volume.Trim();
            var trimmed = text.Length > 1 ? text.TrimEnd('/') : text;
            if (!trimmed.StartsWith('/') || trimmed == "/" || trimmed.Split('/').Skip(1).Any(s => s is "" or "." or "..") || trimmed.Any(char.IsControl))
            {
                throw new ContainersBuildException(DiagnosticCodes.VolumeInvalid,
                    $"ContainerVolume '{volume}' is not a volume path: give an absolute path in the image without '.', '..' or empty parts, e.g. /data.");
            }
            if (!parsed.Contains(trimmed, StringComparer.Ordinal))
            {
                parsed.Add(trimmed);
            }
        }
        return parsed;
    }

    /// <summary>ContainerStopSignal: a signal name (with or without SIG, any case) or number, as docker and podman read it; kept as written.</summary>
    internal static string? ParseStopSignal(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var text = value.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number is >= 1 and <= 64 ? text
                : throw new ContainersBuildException(DiagnosticCodes.StopSignalInvalid, $"ContainerStopSignal '{value}' is not a signal number (1 to 64). Use a name such as SIGTERM or SIGINT, or a number.");
        }
        var name = text.ToUpperInvariant();
        name = name.StartsWith("SIG", StringComparison.Ordinal) ? name[3..] : name;
        if (!SignalNames.Contains(name) && !RealTimeSignalPattern().IsMatch(name))
        {
            throw new ContainersBuildException(DiagnosticCodes.StopSignalInvalid,
                $"ContainerStopSignal '{value}' is not a Linux signal. Use a name such as SIGTERM, SIGINT, SIGQUIT or SIGUSR1 (or SIGRTMIN+n), or a number.");
        }
        return text;
    }

    private static readonly HashSet<string> SignalNames = new(StringComparer.Ordinal)
    {
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR",
        "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH",
        "XCPU", "XFSZ", "RTMIN", "RTMAX",
    };

    private static ContainersBuildException HealthCheckError(string message) => new(DiagnosticCodes.HealthCheckInvalid, message);

    [GeneratedRegex(@"(?<number>\d+(\.\d*)?|\.\d+)(?<unit>ns|us|µs|ms|s|m|h)")]
    private static partial Regex DurationPartPattern();

    [GeneratedRegex(@"^RT(MIN\+([1-9]|1[0-5])|MAX-([1-9]|1[0-5]))\z")]
    private static partial Regex RealTimeSignalPattern();
}
