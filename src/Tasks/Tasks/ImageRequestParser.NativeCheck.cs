using Containers.Build.Publishing;

namespace Containers.Build.Tasks;

/// <summary>ContainerNativeDependencyCheck: true (warn, the default), error, or false.</summary>
public static partial class ImageRequestParser
{
    public sealed partial record Inputs
    {
        /// <summary>$(ContainerNativeDependencyCheck).</summary>
        public string? NativeDependencyCheck { get; init; }
    }

    internal static NativeDependencyCheckMode ParseNativeDependencyCheck(string? value)
        => value?.Trim().ToLowerInvariant() switch
        {
            null or "" or "true" or "warning" or "warn" => NativeDependencyCheckMode.Warn,
            "error" => NativeDependencyCheckMode.Error,
            "false" => NativeDependencyCheckMode.Off,
            _ => throw new ContainersBuildException(DiagnosticCodes.NativeDependencyCheckInvalid,
                $"ContainerNativeDependencyCheck '{value}' is not a value it takes. Use true (warn when a native library will not load in the image, the default), error (fail instead), or false (no check)."),
        };
}
