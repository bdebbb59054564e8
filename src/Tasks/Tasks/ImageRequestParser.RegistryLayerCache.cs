namespace Containers.Build.Tasks;

/// <summary>ContainerRegistryLayerCache: true (the default) or false.</summary>
public static partial class ImageRequestParser
{
    public sealed partial record Inputs
    {
        /// <summary>$(ContainerRegistryLayerCache).</summary>
        public string? RegistryLayerCache { get; init; }
    }

    /// <summary>Whether an app layer the local cache misses is looked for by its input key in the destination registry's image.</summary>
    internal static bool ParseRegistryLayerCache(string? value)
        => value?.Trim().ToLowerInvariant() switch
        {
            null or "" or "true" => true,
            "false" => false,
            _ => throw new ContainersBuildException(DiagnosticCodes.RegistryLayerCacheInvalid,
                $"ContainerRegistryLayerCache '{value}' is not true or false. Use true (the default: a layer this machine has not built is looked for, by the key of its inputs, in the image the registry already holds under the first tag) or false (always build the layers here)."),
        };
}
