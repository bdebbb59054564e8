using System.IO.Compression;
using System.Security.Cryptography;
using Containers.Build.Layers;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Layers;

public class ZstdLayerStreamTests
{
    private const int MiB = 1 << 20;

    public static TheoryData<int> Sizes => [0, 1, 1000, 128 * 1024 + 1, 3 * MiB + 12345];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Decompresses_to_the_input(int size)
    {
        var input = Compressible(size, seed: size);

        var zstd = Zstd(input, CompressionLevel.Optimal, workers: 2);

        Assert.Equal(input, TarReader.Unzstd(zstd));
    }

    [Theory]
    [InlineData(CompressionLevel.Fastest)]
    [InlineData(CompressionLevel.Optimal)]
    public void The_bytes_are_the_same_on_one_worker_and_on_several_whatever_the_writes_look_like(CompressionLevel level)
    {
        // 10 MiB: several of zstd's jobs at levels 1 and 3 (2 and 8 MiB), so the workers really share the frame.
        var input = Compressible(10 * MiB + 777, seed: 7);

        var one = Zstd(input, level, workers: 1);
        var two = Zstd(input, level, workers: 2);
        var four = Zstd(input, level, workers: 4, chunk: 7777);

        Assert.Equal(one, two);
        Assert.Equal(one, four);
        Assert.Equal(input, TarReader.Unzstd(one));
    }

    [Fact]
    public void Zero_workers_is_refused_as_zstd_would_compress_on_its_own_thread_with_other_bytes()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new ZstdLayerStream(Stream.Null, CompressionLevel.Optimal, workers: 0));

    [Fact]
    public void The_frame_has_the_magic_a_content_checksum_and_no_dictionary()
    {
        var zstd = Zstd(Compressible(5000, seed: 5), CompressionLevel.Optimal, workers: 2);

        Assert.Equal(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }, zstd[..4]);
        var descriptor = zstd[4];
        Assert.Equal(0b100, descriptor & 0b100);
        Assert.Equal(0, descriptor & 0b11);
    }

    [Theory]
    [InlineData(CompressionLevel.Fastest, 1)]
    [InlineData(CompressionLevel.Optimal, 3)]
    [InlineData(CompressionLevel.SmallestSize, 19)]
    public void Each_level_is_zstds(CompressionLevel level, int zstdLevel) => Assert.Equal(zstdLevel, ZstdLayerStream.LevelOf(level));

    [Fact]
    public void Smaller_at_smallest_than_at_optimal_and_at_optimal_than_at_fastest()
    {
        var input = Compressible(2 * MiB, seed: 11);

        var sizes = new[] { CompressionLevel.Fastest, CompressionLevel.Optimal, CompressionLevel.SmallestSize }.Select(level => Zstd(input, level, 2).Length).ToArray();

        Assert.True(sizes[0] > sizes[1] && sizes[1] > sizes[2], string.Join(", ", sizes));
    }

    [Fact]
    public async Task The_zstd_tool_reads_it_and_checks_its_checksum()
    {
        using var folder = new TempDirectory("cb-zstd");
        var input = Compressible(3 * MiB + 99, seed: 9);
        var file = folder.Combine("layer.tar.zst");
        await File.WriteAllBytesAsync(file, Zstd(input, CompressionLevel.Optimal, workers: 2));

        var test = await ProcessRunner.RunAsync("zstd", ["-t", "-v", file]);
        Assert.True(test.ExitCode == 0, test.ToString());
        var list = await ProcessRunner.RunAsync("zstd", ["-lv", file]);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("Check: XXH64", list.Output, StringComparison.Ordinal);
        var unpacked = await ProcessRunner.RunAsync("sh", ["-c", "zstd -dc \"$1\" | sha256sum", "sh", file]);
        Assert.True(unpacked.ExitCode == 0, unpacked.ToString());
        Assert.StartsWith(Convert.ToHexStringLower(SHA256.HashData(input)), unpacked.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposed_before_complete_it_cannot_be_written_and_does_not_throw()
    {
        using var output = new MemoryStream();
        var zstd = new ZstdLayerStream(output, CompressionLevel.Optimal, 2);
        zstd.Write(Compressible(MiB, seed: 1));

        zstd.Dispose();

        Assert.Throws<ObjectDisposedException>(() => zstd.Write([1]));
    }

    private static byte[] Zstd(byte[] input, CompressionLevel level, int workers, int? chunk = null)
    {
        using var output = new MemoryStream();
        using (var zstd = new ZstdLayerStream(output, level, workers))
        {
            var size = chunk ?? Math.Max(input.Length, 1);
            for (var offset = 0; offset < input.Length; offset += size)
            {
                zstd.Write(input, offset, Math.Min(size, input.Length - offset));
            }
            zstd.Complete();
        }
        return output.ToArray();
    }

    /// <summary>Words from a small vocabulary with some noise: compressible, with matches across zstd's jobs.</summary>
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
