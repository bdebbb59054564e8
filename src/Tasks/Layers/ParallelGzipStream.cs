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
/// A stretch of the input may instead be given already deflated (<see cref="Substitute"/>: a file as its NuGet package
/// compressed it): the member so far is ended there, those deflate bytes become a gzip member of their own, and the
/// blocks after it begin the next member. A gzip file is a series of members (RFC 1952, 2.2) and every reader of
/// layers reads them all (Go's, zlib's, .NET's; eStargz layers are built on it).
/// </summary>
public sealed class ParallelGzipStream : LayerCompressorStream
{
    /// <summary>
    /// Fixed: the output depends on it. Large enough that compressing each block's 32 KiB of history again costs
    /// little (3% more work), small enough that a few megabytes already keep every core busy.
    /// </summary>
    public const int BlockSize = 1 << 20;

    /// <summary>
    /// How many blocks a stream on <paramref name="cores"/> cores keeps in flight: one compressing on each core and two
    /// more ready for whichever core is free next. The blocks are written in order, so the writer waits for the oldest;
    /// with one block per core, a core that had finished a younger block sat idle until the writer had filled another
    /// (50,000 small files on two cores: the layer took 9% longer, docs/benchmarks.md). Each extra block holds a
    /// megabyte of input and what it compresses to, whatever the number of cores.
    /// </summary>
    public static int BlocksInFlightFor(int cores) => cores + 2;

    // Deflate's window: the farthest back a match may reach.
    private const int WindowSize = 32 * 1024;

    // The deflate of a block (and of the history before it) never needs more: incompressible input grows by at most an
    // eighth (zlib's level 1 codes each literal in 9 bits; stored blocks add 5 bytes per 64 KiB), plus the flushes.
    private const int DeflatedCapacity = (BlockSize + WindowSize) / 8 * 9 + 4096;

    // A block's input buffer: room for the history before the block, then the block.
    private const int InputCapacity = WindowSize + BlockSize;

    // The empty stored block a sync flush ends with, and the final empty block (fixed Huffman codes, just the
    // end-of-block code) that closes the stream; zlib writes the same two bytes when it finishes after a flush.
    private static readonly byte[] SyncFlushMarker = [0x00, 0x00, 0xFF, 0xFF];
    private static readonly byte[] FinalEmptyBlock = [0x03, 0x00];

    /// <summary>
    /// The most a stream holds of substituted members at once (each is held whole until written), whatever the number of
    /// cores: two of the largest entries <see cref="PackageArchive"/> gives.
    /// </summary>
    internal const long DefaultMaxPackedBytesInFlight = 2L * PackageArchive.MaxCompressedLength + 64;

    private readonly Stream _output;
    private readonly int _level;
    private readonly int _maxBlocksInFlight;
    private readonly long _maxPackedBytesInFlight;
    private long _packedBytesInFlight;
    private readonly Queue<Task<IPiece>> _inFlight = new();
    // The blocks' buffers, native (NativeBuffer says why) and reused: at most maxBlocksInFlight + 1 inputs and
    // maxBlocksInFlight outputs exist, whatever the layer's size. Inputs come back from the workers, outputs once written
    // (or from a worker that failed).
    private readonly ConcurrentBag<NativeBuffer> _freeInputs = [];
    private readonly ConcurrentBag<NativeBuffer> _freeOutputs = [];
    // The block being filled: its input starts at WindowSize, after the last 32 KiB of the block before it (its history,
    // _historyLength bytes ending there: none for the first block and after a substitute). Carrying the history in the
    // block's own buffer costs a copy of 32 KiB, as an array of its own did, but no allocation per block.
    private NativeBuffer _block;
    private int _historyLength;
    private int _filled;
    // The member being written: its CRC and length so far, and whether its header is out.
    private uint _crc;
    private long _length;
    private bool _memberOpen;
    private int _members;
    // The stretch of input a substituted member stands for, while its bytes are still being written.
    private PackedEntry? _substitute;
    private long _substituteRemaining;
    private uint _substituteCrc;
    private bool _completed;
    private bool _disposed;

    /// <param name="output">Receives the gzip bytes, in order; left open.</param>
    /// <param name="level">zlib's level (0–9) of every block (<see cref="LayerOptions.ZlibLevel"/>).</param>
    /// <param name="maxBlocksInFlight">How many blocks may be compressing or waiting for a core at once (<see cref="BlocksInFlightFor"/>); changes only the speed.</param>
    public ParallelGzipStream(Stream output, int level, int maxBlocksInFlight) : this(output, level, maxBlocksInFlight, DefaultMaxPackedBytesInFlight)
    {
    }

    internal ParallelGzipStream(Stream output, int level, int maxBlocksInFlight, long maxPackedBytesInFlight)
    {
        _maxPackedBytesInFlight = maxPackedBytesInFlight;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlocksInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        _output = output;
        _level = level;
        _maxBlocksInFlight = maxBlocksInFlight;
        _block = new NativeBuffer(InputCapacity);
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
            if (_substitute is { } entry)
            {
                // Only checked: the member already queued stands for these bytes.
                var skip = (int)Math.Min(buffer.Length, _substituteRemaining);
                _substituteCrc = Crc32.Append(_substituteCrc, buffer[..skip]);
                _substituteRemaining -= skip;
                buffer = buffer[skip..];
                if (_substituteRemaining == 0)
                {
                    _substitute = null;
                    if (_substituteCrc != entry.Crc)
                    {
                        throw new IOException($"'{entry.EntryName}' changed while it was read into the layer: it no longer has the content of '{entry.ArchivePath}' it had when it was checked.");
                    }
                }
                continue;
            }
            var take = Math.Min(buffer.Length, BlockSize - _filled);
            buffer[..take].CopyTo(_block.Span[(WindowSize + _filled)..]);
            _filled += take;
            buffer = buffer[take..];
            if (_filled == BlockSize)
            {
                Submit();
            }
        }
    }

    /// <summary>
    /// The next <see cref="PackedEntry.Length"/> bytes written are <paramref name="entry"/>'s content: they are not
    /// compressed but checked against its CRC (an <see cref="IOException"/> when they differ), and its deflate bytes go out
    /// in their place as a member of their own, once a worker has read them and found that they decompress to that
    /// content (else <see cref="PackageArchiveDamagedException"/>). Whatever was written before ends its block and member.
    /// </summary>
    public void Substitute(PackedEntry entry)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed || _substitute is not null)
        {
            throw new InvalidOperationException("The gzip stream cannot take a substitute now.");
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(entry.Length);
        if (_filled > 0)
        {
            Submit();
        }
        var held = PackedMember.LengthOf(entry);
        while (_inFlight.Count > 0 && _packedBytesInFlight + held > _maxPackedBytesInFlight)
        {
            Retire();
        }
        _packedBytesInFlight += held;
        PeakPackedBytesInFlight = Math.Max(PeakPackedBytesInFlight, _packedBytesInFlight);
        Enqueue(Task.Run<IPiece>(() => PackedMember.Load(entry)));
        // The member after this one starts a new deflate stream: nothing before it is in its decompressor's window.
        _historyLength = 0;
        _substitute = entry;
        _substituteRemaining = entry.Length;
        _substituteCrc = 0;
    }

    /// <summary>The most bytes of substituted members this stream has held at once (for tests of the bound).</summary>
    internal long PeakPackedBytesInFlight { get; private set; }

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
        if (_substitute is { } entry)
        {
            throw new IOException($"'{entry.EntryName}' shrank while it was read into the layer: {entry.Length - _substituteRemaining} of its {entry.Length} bytes.");
        }
        if (_filled > 0)
        {
            Submit();
        }
        while (_inFlight.Count > 0)
        {
            Retire();
        }
        if (_members == 0 && !_memberOpen)
        {
            // Nothing was written: still one (empty) member, as a gzip file must have.
            OpenMember();
        }
        CloseMember();
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
                    Release(pending.GetAwaiter().GetResult());
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

    private void Enqueue(Task<IPiece> piece)
    {
        if (_inFlight.Count >= _maxBlocksInFlight)
        {
            Retire();
        }
        _inFlight.Enqueue(piece);
    }

    private void Submit()
    {
        var data = _block;
        var count = _filled;
        var level = _level;
        var historyLength = _historyLength;
        var output = _freeOutputs.TryTake(out var free) ? free : new NativeBuffer(DeflatedCapacity);
        var freeInputs = _freeInputs;
        var freeOutputs = _freeOutputs;
        _block = _freeInputs.TryTake(out var input) ? input : new NativeBuffer(InputCapacity);
        _filled = 0;
        // Only a full block has a next one; its last 32 KiB (its input ends at InputCapacity) are that block's history,
        // copied to just before where the next block's input starts.
        if (count == BlockSize)
        {
            data.Span[(InputCapacity - WindowSize)..InputCapacity].CopyTo(_block.Span);
            _historyLength = WindowSize;
        }
        else
        {
            _historyLength = 0;
        }
        Enqueue(Task.Run<IPiece>(() =>
        {
            try
            {
                var span = data.Span;
                return CompressedBlock.Compress(span.Slice(WindowSize - historyLength, historyLength), span.Slice(WindowSize, count), level, output);
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
        var piece = pending.GetAwaiter().GetResult();
        try
        {
            switch (piece)
            {
                case CompressedBlock block:
                    if (!_memberOpen)
                    {
                        OpenMember();
                    }
                    _output.Write(block.Output.Span.Slice(block.Start, block.DeflatedLength));
                    _crc = Crc32.Combine(_crc, block.Crc, block.Length);
                    _length += block.Length;
                    break;
                case PackedMember member:
                    CloseMember();
                    _output.Write(member.Bytes.Span);
                    _members++;
                    break;
            }
        }
        finally
        {
            Release(piece);
        }
    }

    private void Release(IPiece piece)
    {
        switch (piece)
        {
            case CompressedBlock block:
                _freeOutputs.Add(block.Output);
                break;
            case PackedMember member:
                _packedBytesInFlight -= member.Bytes.Length;
                member.Bytes.Dispose();
                break;
        }
    }

    private void OpenMember()
    {
        _output.Write(Header(_level));
        _memberOpen = true;
    }

    /// <summary>Ends the open member, if there is one: the final empty block, then the CRC and length of its bytes.</summary>
    private void CloseMember()
    {
        if (!_memberOpen)
        {
            return;
        }
        _output.Write(FinalEmptyBlock);
        Span<byte> trailer = stackalloc byte[8];
        WriteTrailer(trailer, _crc, _length);
        _output.Write(trailer);
        _memberOpen = false;
        _members++;
        _crc = 0;
        _length = 0;
    }

    // ISIZE is the length modulo 2^32 (RFC 1952).
    private static void WriteTrailer(Span<byte> trailer, uint crc, long length)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], unchecked((uint)length));
    }

    // RFC 1952: deflate, no flags, no time, XFL as zlib sets it for the level, and OS 255 (unknown) rather than the
    // builder's own (zlib writes 3 on Unix and 10 on Windows), so the same input gives the same digest on either.
    // XFL: 2 at level 9, 4 at level 1, 0 otherwise.
    // A substituted member's header says nothing of a level (XFL 0): it is not ours.
    private static byte[] Header(int level) =>
        [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, level switch { 9 => 2, 1 => 4, _ => 0 }, 0xFF];

    private interface IPiece;

    /// <summary>
    /// A whole gzip member (header, a package's deflate bytes, trailer) in native memory, read and checked by a worker.
    /// </summary>
    private sealed record PackedMember(NativeBuffer Bytes) : IPiece
    {
        private const int HeaderLength = 10;
        private const int TrailerLength = 8;

        /// <summary>The bytes of <paramref name="entry"/>'s member: its header, its deflate bytes and its trailer.</summary>
        public static int LengthOf(PackedEntry entry) => HeaderLength + entry.CompressedLength + TrailerLength;

        public static PackedMember Load(PackedEntry entry)
        {
            var bytes = new NativeBuffer(LengthOf(entry));
            try
            {
                var span = bytes.Span;
                Header(0).CopyTo(span);
                var deflate = span.Slice(HeaderLength, entry.CompressedLength);
                using (var archive = File.OpenHandle(entry.ArchivePath))
                {
                    var read = 0;
                    while (read < deflate.Length)
                    {
                        var n = RandomAccess.Read(archive, deflate[read..], entry.DataOffset + read);
                        if (n == 0)
                        {
                            throw new PackageArchiveDamagedException(entry, "the archive ends inside it");
                        }
                        read += n;
                    }
                }
                WriteTrailer(span[(HeaderLength + entry.CompressedLength)..], entry.Crc, entry.Length);
                Check(bytes, entry);
                return new PackedMember(bytes);
            }
            catch
            {
                bytes.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Decompresses the member as a reader of the layer will, whole: it must give exactly the entry's length and CRC and
        /// end where its bytes end (a deflate stream that stopped early would leave bytes a reader takes for its trailer).
        /// </summary>
        private static void Check(NativeBuffer member, PackedEntry entry)
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(FileBuffer.Size);
            try
            {
                using var gunzip = new GZipStream(member.OpenRead(), CompressionMode.Decompress);
                uint crc = 0;
                long length = 0;
                int read;
                while ((read = gunzip.Read(buffer, 0, FileBuffer.Size)) > 0)
                {
                    crc = Crc32.Append(crc, buffer.AsSpan(0, read));
                    length += read;
                    if (length > entry.Length)
                    {
                        break;
                    }
                }
                if (length != entry.Length || crc != entry.Crc)
                {
                    throw new PackageArchiveDamagedException(entry, $"{length} bytes with CRC {crc:x8}, where the archive says {entry.Length} bytes with CRC {entry.Crc:x8}");
                }
            }
            catch (InvalidDataException e)
            {
                throw new PackageArchiveDamagedException(entry, e.Message);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// One block's raw deflate bytes, ended by a sync flush (<see cref="DeflatedLength"/> bytes of <see cref="Output"/>
    /// from <see cref="Start"/>), with the CRC and length of its input.
    /// </summary>
    private sealed record CompressedBlock(NativeBuffer Output, int Start, int DeflatedLength, uint Crc, int Length) : IPiece
    {
        /// <param name="history">The bytes just before this block (empty for the first), which its matches may refer to.</param>
        /// <param name="output">Receives the deflate bytes; at least <see cref="DeflatedCapacity"/> long.</param>
        public static CompressedBlock Compress(ReadOnlySpan<byte> history, ReadOnlySpan<byte> input, int level, NativeBuffer output)
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
