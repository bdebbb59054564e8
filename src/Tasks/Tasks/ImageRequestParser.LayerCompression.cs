using System.IO.Compression;
using Containers.Build.Layers;

namespace Containers.Build.Tasks;

/// <summary>
/// ContainerLayerCompression: gzip (the default) or zstd; ContainerLayerCompressionLevel: fastest, optimal (the default,
/// as dense as the .NET SDK's for gzip) or smallest.
/// </summary>
public static partial class ImageRequestParser
{
    public sealed partial record Inputs
    {
        /// <summary>$(ContainerLayerCompression).</summary>
        public string? LayerCompression { get; init; }

        /// <summary>$(ContainerLayerCompressionLevel).</summary>
        public string? LayerCompressionLevel { get; init; }
    }

    internal static LayerCompression ParseLayerCompression(string? value)
        => value?.Trim().ToLowerInvariant() switch
        {
            null or "" or "gzip" => Layers.LayerCompression.Gzip,
            "zstd" => Layers.LayerCompression.Zstd,
            _ => throw new ContainersBuildException(DiagnosticCodes.LayerCompressionInvalid,
                $"ContainerLayerCompression '{value}' is not a compression it takes. Use gzip (the default, read by every engine and registry) or zstd (smaller layers for less work, in an OCI image, read by podman, containerd and Docker 23 or later)."),
        };

    /// <returns>The level every layer gets; null when not set: each layer's by its kind (<see cref="LayerOptions.For"/>).</returns>
    internal static CompressionLevel? ParseLayerCompressionLevel(string? value)
        => value?.Trim().ToLowerInvariant() switch
        {
            null or "" => null,
            "fastest" => CompressionLevel.Fastest,
            "optimal" => CompressionLevel.Optimal,
            "smallest" or "smallestsize" => CompressionLevel.SmallestSize,
            _ => throw new ContainersBuildException(DiagnosticCodes.LayerCompressionLevelInvalid,
                $"ContainerLayerCompressionLevel '{value}' is not a value it takes. Use optimal (as dense as the .NET SDK's layers, every layer; unset, the layers of the project's own files are written a little faster), fastest (about 25% bigger, less work on a cold publish) or smallest (a few percent smaller, over twice the work)."),
        };
}
