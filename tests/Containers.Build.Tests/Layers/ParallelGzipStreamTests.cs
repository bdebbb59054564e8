using System.IO.Compression;
using System.Security.Cryptography;
using Containers.Build.Layers;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Layers;

public class ParallelGzipStreamTests
{
    private const int Block = ParallelGzipStream.BlockSize;

    public static TheoryData<int> Sizes => [0, 1, 1000, Block - 1, Block, Block + 1, 2 * Block, 5 * Block + 12345];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Decompresses_to_the_input_with_the_same_bytes_on_one_worker_and_on_eight(int size)
    {
        var input = Compressible(size, seed: size);

        var one = Gzip(input, CompressionLevel.Optimal, workers: 1);
        var eight = Gzip(input, CompressionLevel.Optimal, workers: 8);

        Assert.Equal(one, eight);
        Assert.Equal(input, Gunzip(one));
    }

    [Theory]
    [InlineData(CompressionLevel.Fastest)]
    [InlineData(CompressionLevel.Optimal)]
    [InlineData(CompressionLevel.SmallestSize)]
    public void Every_level_gives_a_valid_stream_whatever_the_writes_look_like(CompressionLevel level)
    {
        var input = Compressible(3 * Block + 777, seed: 3);

        var whole = Gzip(input, level, workers: 2);
        var inPieces = Gzip(input, level, workers: 3, chunk: 7777);

        Assert.Equal(whole, inPieces);
        Assert.Equal(input, Gunzip(whole));
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(4, 0)]
    [InlineData(6, 0)]
    [InlineData(9, 2)]
    public void A_zlib_level_of_its_own_gives_a_valid_stream_the_same_on_any_number_of_workers(int deflateLevel, byte extraFlags)
    {
        var input = Compressible(3 * Block + 777, seed: 4);

        var one = Gzip(input, deflateLevel, workers: 1);
        var three = Gzip(input, deflateLevel, workers: 3, chunk: 5000);

        Assert.Equal(one, three);
        Assert.Equal(input, Gunzip(one));
        Assert.Equal(extraFlags, one[8]);
    }

    [Theory]
    [InlineData(CompressionLevel.NoCompression)]
    [InlineData(CompressionLevel.Fastest)]
    [InlineData(CompressionLevel.Optimal)]
    [InlineData(CompressionLevel.SmallestSize)]
    public void Each_named_level_is_the_zlib_level_of_the_same_bytes(CompressionLevel level)
    {
        // Layers written when the blocks were deflated by the level's name keep their digests (and their cache keys their meaning).
        var input = Compressible(Block + 99, seed: 5);
        using var byName = new MemoryStream();
        using (var deflate = new DeflateStream(byName, level, leaveOpen: true))
        {
            deflate.Write(input);
        }
        using var byNumber = new MemoryStream();
        using (var deflate = new DeflateStream(byNumber, new ZLibCompressionOptions { CompressionLevel = LayerOptions.ZlibLevelOf(level) }, leaveOpen: true))
        {
            deflate.Write(input);
        }

        Assert.Equal(byName.ToArray(), byNumber.ToArray());
    }

    [Fact]
    public void Level_4_gives_other_bytes_than_level_6()
    {
        var input = Compressible(2 * Block + 99, seed: 5);

        Assert.NotEqual(Gzip(input, 6, workers: 2), Gzip(input, 4, workers: 2));
    }

    [Fact]
    public void The_header_has_no_name_time_or_operating_system_and_the_trailer_the_crc_and_length()
    {
        var input = Compressible(Block + 5, seed: 5);
        var gzip = Gzip(input, CompressionLevel.SmallestSize, workers: 4);

        Assert.Equal(new byte[] { 0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0xFF }, gzip[..10]);
        Assert.Equal(Crc32.Compute(input), BitConverter.ToUInt32(gzip, gzip.Length - 8));
        Assert.Equal((uint)input.Length, BitConverter.ToUInt32(gzip, gzip.Length - 4));
        Assert.Equal(new byte[] { 0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x04, 0xFF }, Gzip([], CompressionLevel.Fastest, 1)[..10]);
    }

    [Fact]
    public void Matches_reach_back_into_the_block_before()
    {
        // 16 KiB of noise, repeated: a block that starts with no history must spell the noise out again; one given
        // the 32 KiB before it refers back to them, as a single stream would.
        var noise = new byte[16 * 1024];
        new Random(1).NextBytes(noise);
        var input = new byte[4 * Block];
        for (var offset = 0; offset < input.Length; offset += noise.Length)
        {
            noise.CopyTo(input, offset);
        }
        long alone = 0;
        for (var offset = 0; offset < input.Length; offset += Block)
        {
            using var deflated = new MemoryStream();
            using (var deflate = new DeflateStream(deflated, CompressionLevel.Optimal, leaveOpen: true))
            {
                deflate.Write(input, offset, Block);
            }
            alone += deflated.Length;
        }

        var gzip = Gzip(input, CompressionLevel.Optimal, workers: 2);

        Assert.Equal(input, Gunzip(gzip));
        Assert.True(gzip.Length < alone * 0.8, $"{gzip.Length} bytes, {alone} for the blocks compressed alone: the blocks after the first did not refer back");
    }

    [Fact]
    public async Task Gzip_and_python_read_it_as_one_member_with_the_right_checksum()
    {
        using var folder = new TempDirectory("cb-gzip");
        var input = Compressible(4 * Block + 99, seed: 9);
        var file = folder.Combine("blocks.gz");
        await File.WriteAllBytesAsync(file, Gzip(input, CompressionLevel.Optimal, workers: 4));
        var expected = Convert.ToHexStringLower(SHA256.HashData(input));

        var test = await ProcessRunner.RunAsync("gzip", ["-t", "-v", file]);
        Assert.True(test.ExitCode == 0, test.ToString());
        var gunzip = await ProcessRunner.RunAsync("sh", ["-c", "gzip -dc \"$1\" | sha256sum", "sh", file]);
        Assert.True(gunzip.ExitCode == 0, gunzip.ToString());
        Assert.StartsWith(expected, gunzip.Output, StringComparison.Ordinal);
        var python = await ProcessRunner.RunAsync("python3", ["-c",
            "import gzip, hashlib, sys; print(hashlib.sha256(gzip.open(sys.argv[1]).read()).hexdigest())", file]);
        Assert.True(python.ExitCode == 0, python.ToString());
        Assert.Equal(expected, python.Output.Trim());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(9)]
    public void Incompressible_blocks_fit_the_fixed_buffers_at_every_level(int deflateLevel)
    {
        // Random bytes grow under deflate (level 1 codes each in 9 bits, level 0 stores them): the most a block's
        // output buffer must hold.
        var input = new byte[3 * Block + 4321];
        new Random(11).NextBytes(input);

        var one = Gzip(input, deflateLevel, workers: 1);
        var three = Gzip(input, deflateLevel, workers: 3, chunk: 100_000);

        Assert.Equal(one, three);
        Assert.Equal(input, Gunzip(one));
    }

    [Fact]
    public void Two_layers_compressed_at_once_give_the_bytes_each_gives_alone()
    {
        // Each stream has buffers of its own: streams written at once give what each gives alone.
        var first = Compressible(2 * Block + 5, seed: 21);
        var second = Compressible(3 * Block + 9, seed: 22);
        var alone = (Gzip(first, 6, workers: 2), Gzip(second, 6, workers: 2));

        var together = new Task<byte[]>[] { Task.Run(() => Gzip(first, 6, workers: 2)), Task.Run(() => Gzip(second, 6, workers: 2)) };

        Assert.Equal(alone.Item1, together[0].Result);
        Assert.Equal(alone.Item2, together[1].Result);
    }

    /// <summary>
    /// Layers already cached and pushed are found by keys that say what their bytes are: the gzip of several blocks, each
    /// after the history of the one before, must stay byte for byte what it was (pinned from the writer of the first
    /// parallel gzip, before the history moved into the blocks' own buffers).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void The_bytes_of_several_blocks_are_the_ones_every_earlier_version_wrote(int workers)
    {
        var input = Compressible(3 * Block + 12345, seed: 21);

        var gzip = Gzip(input, LayerOptions.ChangingLayerDeflateLevel, workers);

        Assert.Equal(PinnedSeveralBlocks, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(gzip)));
    }

    private const string PinnedSeveralBlocks = "723e2472383fa93111573c6b772fdea4cfffac5e1cead3f3de4a875a22740b14";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(64)]
    public void Blocks_wait_ready_for_the_next_free_core_with_a_bound_that_does_not_grow_with_the_cores(int cores)
    {
        var inFlight = ParallelGzipStream.BlocksInFlightFor(cores);

        Assert.True(inFlight > cores, $"{inFlight} blocks in flight on {cores} cores leave none waiting for a core");
        Assert.True(inFlight <= cores + 2, $"{inFlight} blocks in flight on {cores} cores hold more than two extra");
    }

    [Fact]
    public void Disposed_before_complete_it_writes_nothing_more()
    {
        using var output = new MemoryStream();
        var gzip = new ParallelGzipStream(output, 6, 2);
        gzip.Write(Compressible(3 * Block, seed: 1));
        var written = output.Length;

        gzip.Dispose();

        Assert.Equal(written, output.Length);
        Assert.Throws<ObjectDisposedException>(() => gzip.Write([1]));
    }

    private static byte[] Gzip(byte[] input, CompressionLevel level, int workers, int? chunk = null) => Gzip(input, LayerOptions.ZlibLevelOf(level), workers, chunk);

    private static byte[] Gzip(byte[] input, int level, int workers, int? chunk = null)
    {
        using var output = new MemoryStream();
        using (var gzip = new ParallelGzipStream(output, level, workers))
        {
            var size = chunk ?? Math.Max(input.Length, 1);
            for (var offset = 0; offset < input.Length; offset += size)
            {
                gzip.Write(input, offset, Math.Min(size, input.Length - offset));
            }
            gzip.Complete();
        }
        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] gzip)
    {
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Words from a small vocabulary with some noise: compressible, with matches across block boundaries.</summary>
    private static byte[] Compressible(int size, int seed)
    {
        var random = new Random(seed);
        var words = Enumerable.Range(0, 300).Select(i => System.Text.Encoding.ASCII.GetBytes($"w{i * 7919 % 1000} ")).ToArray();
        var data = new byte[size];
        var offset = 0;
        while (offset < size)
        {
            var piece = random.Next(10) == 0 ? [(byte)random.Next(256)] : words[random.Next(words.Length)];
            var take = Math.Min(piece.Length, size - offset);
            piece.AsSpan(0, take).CopyTo(data.AsSpan(offset));
            offset += take;
        }
        return data;
    }
}
