using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Compression;

namespace Containers.Build.Layers;

/// <summary>
/// A write-only stream that gzips what is written to it as pigz does: the bytes are cut into blocks of a fixed
/// <see cref="BlockSize"/>, each block is deflated on its own on the thread pool, and the pieces are written in
/// order as one gzip member. Each piece ends with a sync flush (an empty stored block, which leaves the bit
/// stream on a byte boundary), so the pieces concatenate into one valid deflate stream; <see cref="Complete"/>
/// adds the final empty block and the trailer (the CRC-32 of every byte, joined from the blocks' CRCs, and the
/// length). Each block's compressor is first given the last 32 KiB of the block before (compressed and thrown
/// away, as pigz sets a dictionary), so its matches may reach back into them as a single stream's would: the
/// decompressor has those bytes just behind it. A block's bytes depend only on its input, the 32 KiB before it
/// and the level, never on how many blocks are compressed at once: the same output on one core or sixty-four.
/// At most <c>maxBlocksInFlight</c> blocks are held at a time, so memory does not grow with the input.
/// </summary>
public sealed class ParallelGzipStream : LayerCompressorStream
{
    /// <summary>
    /// Fixed: the output depends on it. Large enough that compressing each block's 32 KiB of history again costs
    /// little (3% more work), small enough that a few megabytes already keep every core busy.
    /// </summary>
    public const int BlockSize = 1 << 20;

    // Deflate's window: the farthest back a match may reach.
    private const int WindowSize = 32 * 1024;

    // The deflate of a block (and of the history before it) never needs more: incompressible input grows by at most an
    // eighth (zlib's level 1 codes each literal in 9 bits; stored blocks add 5 bytes per 64 KiB), plus the flushes.
    private const int DeflatedCapacity = (BlockSize + WindowSize) / 8 * 9 + 4096;

    // The empty stored block a sync flush ends with, and the final empty block (fixed Huffman codes, just the
    // end-of-block code) that closes the stream; zlib writes the same two bytes when it finishes after a flush.
    private static readonly byte[] SyncFlushMarker = [0x00, 0x00, 0xFF, 0xFF];
    private static readonly byte[] FinalEmptyBlock = [0x03, 0x00];

    private readonly Stream _output;
    private readonly int _level;
    private readonly int _maxBlocksInFlight;
    private readonly Queue<Task<CompressedBlock>> _inFlight = new();
    // The blocks' buffers, native (NativeBuffer says why) and reused: at most maxBlocksInFlight + 1 inputs and
    // maxBlocksInFlight outputs exist, whatever the layer's size. Inputs come back from the workers, outputs once written
    // (or from a worker that failed).
    private readonly ConcurrentBag<NativeBuffer> _freeInputs = [];
    private readonly ConcurrentBag<NativeBuffer> _freeOutputs = [];
    private NativeBuffer _block;
    private byte[] _history = [];
    private int _filled;
    private uint _crc;
    private long _length;
    private bool _completed;
    private bool _disposed;

    /// <param name="output">Receives the gzip bytes, in order; left open.</param>
    /// <param name="level">zlib's level (0–9) of every block (<see cref="LayerOptions.ZlibLevel"/>).</param>
    /// <param name="maxBlocksInFlight">How many blocks may be compressing at once (the cores to use); changes only the speed.</param>
    public ParallelGzipStream(Stream output, int level, int maxBlocksInFlight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlocksInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        _output = output;
        _level = level;
        _maxBlocksInFlight = maxBlocksInFlight;
        _block = new NativeBuffer(BlockSize);
        _output.Write(Header(level));
    }

    public override bool CanWrite => !_completed && !_disposed;


    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException("The gzip stream is complete.");
        }
        while (!buffer.IsEmpty)
        {
            var take = Math.Min(buffer.Length, BlockSize - _filled);
            buffer[..take].CopyTo(_block.Span[_filled..]);
            _filled += take;
            buffer = buffer[take..];
            if (_filled == BlockSize)
            {
                Submit();
            }
        }
    }

    /// <summary>Nothing to do: a block is only compressed whole, so that the bytes never depend on when flushes came.</summary>
    public override void Flush()
    {
    }

    /// <summary>Compresses what is left, waits for every block, and writes the end of the stream and the trailer.</summary>
    public override void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }
        if (_filled > 0)
        {
            Submit();
        }
        while (_inFlight.Count > 0)
        {
            Retire();
        }
        _output.Write(FinalEmptyBlock);
        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, _crc);
        // ISIZE is the length modulo 2^32 (RFC 1952).
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], unchecked((uint)_length));
        _output.Write(trailer);
        _completed = true;
    }


    /// <summary>
    /// Waits for the blocks still compressing (their buffers go back to the pool) and writes nothing more: a stream
    /// disposed before <see cref="Complete"/> is an abandoned one, whose output is thrown away.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            while (_inFlight.TryDequeue(out var pending))
            {
                try
                {
                    _freeOutputs.Add(pending.GetAwaiter().GetResult().Output);
                }
                catch (Exception)
                {
                    // The stream is abandoned; the failure that stopped the writer is the one that matters.
                }
            }
            // Every worker is done: no buffer is in use.
            _block.Dispose();
            foreach (var buffer in _freeInputs.Concat(_freeOutputs))
            {
                buffer.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    private void Submit()
    {
        if (_inFlight.Count >= _maxBlocksInFlight)
        {
            Retire();
        }
        var data = _block;
        var count = _filled;
        var level = _level;
        var history = _history;
        var output = _freeOutputs.TryTake(out var free) ? free : new NativeBuffer(DeflatedCapacity);
        var freeInputs = _freeInputs;
        var freeOutputs = _freeOutputs;
        // Only a full block has a next one; its last 32 KiB are that block's history.
        _history = count == BlockSize ? data.Span[(BlockSize - WindowSize)..].ToArray() : [];
        _block = _freeInputs.TryTake(out var input) ? input : new NativeBuffer(BlockSize);
        _filled = 0;
        _inFlight.Enqueue(Task.Run(() =>
        {
            try
            {
                return CompressedBlock.Compress(history, data.Span[..count], level, output);
            }
            catch
            {
                freeOutputs.Add(output);
                throw;
            }
            finally
            {
                freeInputs.Add(data);
            }
        }));
    }

    private void Retire()
    {
        using var pending = _inFlight.Dequeue();
        if (!pending.IsCompleted)
        {
            // A kernel wait, not Task.Wait's spinning and Sleep(1)s: on two cores the spin takes the CPU the blocks are
            // compressed on (a third of the writer's time went to it), and each sleep delays the next block by a ms.
            ((IAsyncResult)pending).AsyncWaitHandle.WaitOne();
        }
        var block = pending.GetAwaiter().GetResult();
        try
        {
            _output.Write(block.Output.Span.Slice(block.Start, block.DeflatedLength));
        }
        finally
        {
            _freeOutputs.Add(block.Output);
        }
        _crc = Crc32.Combine(_crc, block.Crc, block.Length);
        _length += block.Length;
    }

    // RFC 1952: deflate, no flags, no time, XFL as zlib sets it for the level, and OS 255 (unknown) rather than the
    // builder's own (zlib writes 3 on Unix and 10 on Windows), so the same input gives the same digest on either.
    // XFL: 2 at level 9, 4 at level 1, 0 otherwise.
    private static byte[] Header(int level) =>
        [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, level switch { 9 => 2, 1 => 4, _ => 0 }, 0xFF];

    /// <summary>
    /// One block's raw deflate bytes, ended by a sync flush (<see cref="DeflatedLength"/> bytes of <see cref="Output"/>
    /// from <see cref="Start"/>), with the CRC and length of its input.
    /// </summary>
    private sealed record CompressedBlock(NativeBuffer Output, int Start, int DeflatedLength, uint Crc, int Length)
    {
        /// <param name="history">The bytes just before this block (empty for the first), which its matches may refer to.</param>
        /// <param name="output">Receives the deflate bytes; at least <see cref="DeflatedCapacity"/> long.</param>
        public static CompressedBlock Compress(byte[] history, ReadOnlySpan<byte> input, int level, NativeBuffer output)
        {
            using var stream = output.OpenWrite();
            long start = 0;
            long flushed;
            using (var deflate = new DeflateStream(stream, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
            {
                if (history.Length > 0)
                {
                    // The history goes through the compressor to fill its window; its output, the previous
                    // block's business, is cut off at the sync flush that ends it.
                    deflate.Write(history);
                    deflate.Flush();
                    start = stream.Position;
                }
                deflate.Write(input);
                // Flush is zlib's sync flush: the block's bits end on a byte boundary after an empty stored block.
                deflate.Flush();
                flushed = stream.Position;
                // Disposing appends the final block, which only the last piece of the stream may have: it must fit
                // (DeflatedCapacity leaves room for it), and it is cut below.
            }
            if (!output.Span[..(int)flushed].EndsWith(SyncFlushMarker))
            {
                throw new InvalidOperationException("DeflateStream.Flush did not end the block with a sync flush; the blocks could not be joined.");
            }
            return new CompressedBlock(output, (int)start, (int)(flushed - start), Crc32.Compute(input), input.Length);
        }
    }
}
