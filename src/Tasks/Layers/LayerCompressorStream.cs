namespace Containers.Build.Layers;

/// <summary>
/// A layer's compressor, written the tar and ended by <see cref="Complete"/>; disposed without it, it abandons its
/// output (the writer is dropping the blob). <see cref="ParallelGzipStream"/> and <see cref="ZstdLayerStream"/>.
/// </summary>
public abstract class LayerCompressorStream : Stream
{
    /// <summary>Compresses what is left and writes the end of the compressed stream.</summary>
    public abstract void Complete();

    // Write-only and forward-only, whatever the compression.
    public sealed override bool CanRead => false;
    public sealed override bool CanSeek => false;
    public sealed override long Length => throw new NotSupportedException();
    public sealed override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public sealed override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public sealed override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public sealed override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>The compressor of <paramref name="options"/>' compression and level, on the machine's cores, writing to <paramref name="output"/>.</summary>
    public static LayerCompressorStream For(Stream output, LayerOptions options) => options.Compression switch
    {
        LayerCompression.Zstd => new ZstdLayerStream(output, options.CompressionLevel, Math.Min(Environment.ProcessorCount, ZstdLayerStream.MaxWorkers)),
        _ => new ParallelGzipStream(output, options.ZlibLevel, ParallelGzipStream.BlocksInFlightFor(Environment.ProcessorCount)),
    };
}
