namespace Containers.Build.Layers;

/// <summary>
/// A layer's compressor, written the tar and ended by <see cref="Complete"/>; disposed without it, it abandons its
/// output (the writer is dropping the blob). <see cref="ParallelGzipStream"/> and <see cref="ZstdLayerStream"/>.
/// </summary>
public abstract class LayerCompressorStream : Stream
{
    /// <summary>Compresses what is left and writes the end of the compressed stream.</summary>
    public abstract void Complete();

    /// <summary>The compressor of <paramref name="options"/>' compression and level, on the machine's cores, writing to <paramref name="output"/>.</summary>
    public static LayerCompressorStream For(Stream output, LayerOptions options) => options.Compression switch
    {
        LayerCompression.Zstd => new ZstdLayerStream(output, options.CompressionLevel, Math.Min(Environment.ProcessorCount, ZstdLayerStream.MaxWorkers)),
        _ => new ParallelGzipStream(output, options.CompressionLevel, Environment.ProcessorCount),
    };
}
