using System.IO.Compression;
using Containers.Build.Layers;

namespace Containers.Build.Tasks;

/// <summary>ContainerLayerCompressionLevel: fastest, optimal (the default, as dense as the .NET SDK's) or smallest.</summary>
public static partial class ImageRequestParser
{
    public sealed partial record Inputs
    {
        /// <summary>$(ContainerLayerCompressionLevel).</summary>
        public string? LayerCompressionLevel { get; init; }
    }

    internal static CompressionLevel ParseLayerCompressionLevel(string? value)
        => value?.Trim().ToLowerInvariant() switch
        {
            null or "" => LayerOptions.DefaultCompressionLevel,
            "fastest" => CompressionLevel.Fastest,
            "optimal" => CompressionLevel.Optimal,
            "smallest" or "smallestsize" => CompressionLevel.SmallestSize,
            _ => throw new ContainersBuildException(DiagnosticCodes.LayerCompressionLevelInvalid,
                $"ContainerLayerCompressionLevel '{value}' is not a value it takes. Use optimal (as dense as the .NET SDK's layers, the default), fastest (about 25% bigger, less work on a cold publish) or smallest (a few percent smaller, over twice the work)."),
        };
}
