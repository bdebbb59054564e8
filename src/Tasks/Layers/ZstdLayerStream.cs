using System.IO.Compression;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Containers.Build.Layers;

/// <summary>
/// Compresses a layer's tar into one Zstandard frame with its content checksum (XXH64, nearly free) and no dictionary,
/// on a worker per core (up to <see cref="MaxWorkers"/>). zstd's multi-threaded mode cuts the input into jobs whose size follows from
/// the level alone, so its output is the same for one worker or many (and however the writes are cut); only the
/// single-threaded mode (no workers) differs. So there is always at least one worker: the bytes are the same on every
/// machine. <see cref="Complete"/> ends the frame; disposing without it abandons the output.
/// </summary>
public sealed class ZstdLayerStream : LayerCompressorStream
{
    private readonly CompressionStream _zstd;
    private bool _completed;
    private bool _disposed;

    /// <summary>
    /// The most workers a layer gets. Each holds a job's input and a compression context: about 12 MB at level 3, over
    /// 100 MB at level 19; beyond four, the single thread writing and hashing the tar feeds them no faster. The bytes
    /// are the same with fewer.
    /// </summary>
    public const int MaxWorkers = 4;

    public ZstdLayerStream(Stream output, CompressionLevel level, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _zstd = new CompressionStream(output, LevelOf(level), leaveOpen: true);
        _zstd.SetParameter(ZSTD_cParameter.ZSTD_c_nbWorkers, workers);
        _zstd.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
    }

    /// <summary>
    /// zstd's level for each of ContainerLayerCompressionLevel's: 1 (a little bigger than gzip's optimal, a third of its work),
    /// 3 (zstd's and BuildKit's default: smaller than gzip's optimal, for less work) and 19 (the densest before the
    /// "ultra" levels' larger windows, which cost the reader memory too; many times the work). docs/benchmarks.md has the figures.
    /// </summary>
    public static int LevelOf(CompressionLevel level) => level switch
    {
        CompressionLevel.Fastest => 1,
        CompressionLevel.Optimal => 3,
        CompressionLevel.SmallestSize => 19,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "No zstd level for this compression level."),
    };

    public override bool CanWrite => !_completed && !_disposed;


    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed || _completed, this);
        _zstd.Write(buffer);
    }

    // A flush would end a block early, and make the bytes depend on when it was asked for: nothing to do until Complete.
    public override void Flush()
    {
    }

    /// <summary>Ends the frame (the last jobs, the checksum) and writes it out.</summary>
    public override void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }
        _completed = true;
        _zstd.Dispose();
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            if (!_completed)
            {
                try
                {
                    // Disposing the compressor ends the frame into the output, which the writer is dropping anyway:
                    // a failure to do so must not hide the failure that abandoned it.
                    _zstd.Dispose();
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException or ZstdException)
                {
                }
            }
        }
        base.Dispose(disposing);
    }
}
