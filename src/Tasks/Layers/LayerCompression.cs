using Containers.Build.Model;

namespace Containers.Build.Layers;

/// <summary>How the layers this tool writes are compressed (ContainerLayerCompression); base layers keep theirs.</summary>
public enum LayerCompression
{
    /// <summary>gzip in parallel blocks (<see cref="ParallelGzipStream"/>): what every engine and registry reads.</summary>
    Gzip,

    /// <summary>One Zstandard frame (<see cref="ZstdLayerStream"/>): an OCI media type only, read by podman, containerd and Docker 23+.</summary>
    Zstd,
}

public static class LayerCompressionExtensions
{
    /// <summary>The OCI media type of a layer so compressed (a Docker manifest relabels gzip; it cannot carry zstd).</summary>
    public static string MediaType(this LayerCompression compression) => compression switch
    {
        LayerCompression.Zstd => MediaTypes.OciLayerZstd,
        _ => MediaTypes.OciLayerGzip,
    };
}
