using System.Text;
using Containers.Build.Layers;

namespace Containers.Build.Tests.Layers;

public class Crc32Tests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xE8B7BE43u)]
    [InlineData("123456789", 0xCBF43926u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void Known_vectors(string text, uint expected)
        => Assert.Equal(expected, Crc32.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Agrees_with_a_bitwise_reference_on_every_length_around_the_eight_byte_steps()
    {
        var data = new byte[100];
        new Random(7).NextBytes(data);
        for (var length = 0; length <= data.Length; length++)
        {
            Assert.Equal(Bitwise(data.AsSpan(0, length)), Crc32.Compute(data.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Folding_agrees_with_slicing_on_every_length_and_alignment_around_its_steps()
    {
        // On x86 runs of 64 bytes and more are folded with carry-less multiplication; the rest, and other CPUs, slice.
        var data = new byte[5000];
        new Random(13).NextBytes(data);
        foreach (var offset in new[] { 0, 1, 3, 8, 15 })
        {
            for (var length = 0; length <= 300; length++)
            {
                var piece = data.AsSpan(offset, length);
                Assert.Equal(Crc32.AppendPortable(0x12345678u, piece), Crc32.Append(0x12345678u, piece));
            }
            foreach (var length in new[] { 1023, 1024, 1025, 4096 + 7, 4900 })
            {
                var piece = data.AsSpan(offset, length);
                Assert.Equal(Crc32.AppendPortable(0, piece), Crc32.Compute(piece));
                Assert.Equal(Bitwise(piece), Crc32.Compute(piece));
            }
        }
    }

    [Fact]
    public void A_megabyte_of_zeros_and_of_ones_folds_to_the_sliced_crc()
    {
        foreach (var fill in new byte[] { 0x00, 0xFF })
        {
            var data = new byte[(1 << 20) + 5];
            Array.Fill(data, fill);
            Assert.Equal(Crc32.AppendPortable(0, data), Crc32.Compute(data));
        }
    }

    [Fact]
    public void Appending_and_combining_give_the_crc_of_the_whole()
    {
        var data = new byte[5000];
        new Random(11).NextBytes(data);
        var whole = Crc32.Compute(data);
        foreach (var split in new[] { 0, 1, 7, 8, 9, 1000, 4095, 4999, 5000 })
        {
            var first = data.AsSpan(0, split);
            var second = data.AsSpan(split);
            Assert.Equal(whole, Crc32.Append(Crc32.Compute(first), second));
            Assert.Equal(whole, Crc32.Combine(Crc32.Compute(first), Crc32.Compute(second), second.Length));
        }
    }

    [Fact]
    public void Combining_over_lengths_past_four_gigabytes_matches_the_zero_shift_it_stands_for()
    {
        // A CRC shifted over n zero bytes and then over m more is the same as shifted over n + m at once.
        const uint crc = 0xCBF43926u;
        var once = Crc32.Combine(crc, 0, (5L << 30) + 3);
        var twice = Crc32.Combine(Crc32.Combine(crc, 0, 5L << 30), 0, 3);
        Assert.Equal(once, twice);
        // And over a few zero bytes, what appending them gives.
        Assert.Equal(Crc32.Append(crc, new byte[13]), Crc32.Combine(crc, Crc32.Compute(new byte[13]), 13));
    }

    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }
        return ~crc;
    }
}
