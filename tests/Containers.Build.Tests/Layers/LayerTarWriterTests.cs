using System.Text;
using Containers.Build.Layers;
using ICSharpCode.SharpZipLib.Tar;

namespace Containers.Build.Tests.Layers;

/// <summary>
/// The layer tar writer gives the bytes SharpZipLib's TarOutputStream gave for the same entries (as LayerWriter used it
/// before): every layer already cached, pushed or found by its input key stays the same layer.
/// </summary>
public class LayerTarWriterTests
{
    private const long ModificationTime = 1_700_000_000;

    private sealed record Entry(string Name, byte Type, int Mode, int UserId, int GroupId, byte[] Content, string LinkName = "");

    private static byte[] SharpZipLibTar(IEnumerable<Entry> entries)
    {
        using var output = new MemoryStream();
        var tar = new TarOutputStream(output, Encoding.UTF8) { IsStreamOwner = false };
        foreach (var entry in entries)
        {
            tar.PutNextEntry(new TarEntry(SharpZipLibHeader(entry.Name, entry.Type, entry.Mode, entry.UserId, entry.GroupId, entry.Content.Length, entry.LinkName)));
            tar.Write(entry.Content, 0, entry.Content.Length);
            tar.CloseEntry();
        }
        tar.Finish();
        tar.Dispose();
        return output.ToArray();
    }

    private static TarHeader SharpZipLibHeader(string name, byte type, int mode, int userId, int groupId, long size, string linkName) => new()
    {
        Name = name, TypeFlag = type, Mode = mode, UserId = userId, GroupId = groupId, Size = size, LinkName = linkName,
        ModTime = DateTimeOffset.FromUnixTimeSeconds(ModificationTime).UtcDateTime, UserName = "", GroupName = "",
    };

    private static byte[] OurTar(IEnumerable<Entry> entries, int chunk = 1 << 17)
    {
        using var output = new MemoryStream();
        var tar = new LayerTarWriter(output);
        foreach (var entry in entries)
        {
            tar.PutEntry(entry.Name, entry.Type, entry.Mode, entry.UserId, entry.GroupId, entry.Content.Length, ModificationTime, entry.LinkName);
            for (var offset = 0; offset < entry.Content.Length; offset += chunk)
            {
                tar.Write(entry.Content.AsSpan(offset, Math.Min(chunk, entry.Content.Length - offset)));
            }
            tar.CloseEntry();
        }
        tar.Finish();
        return output.ToArray();
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Archives of 0 to 45 blocks of entries: the end (four zero blocks, then whole records of 20) around every record boundary.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(19)]
    [InlineData(20)]
    [InlineData(36)]
    [InlineData(45)]
    public void An_archive_of_directories_ends_as_SharpZipLib_ended_it(int count)
    {
        var entries = Enumerable.Range(0, count).Select(i => new Entry($"app/d{i}/", (byte)'5', 0b111_101_101, 0, 0, [])).ToArray();
        Assert.Equal(SharpZipLibTar(entries), OurTar(entries));
    }

    [Fact]
    public void Files_links_and_pax_headers_of_every_size_are_the_bytes_SharpZipLib_wrote()
    {
        var sizes = new[] { 0, 1, 100, 511, 512, 513, 1023, 1024, 4096, 10239, 10240, 10241, 65535, 65536, 65537, 200_000, 1 << 20 };
        var entries = new List<Entry>
        {
            new("app/", (byte)'5', 0b111_101_101, 1654, 1654, []),
            new("app/link", (byte)'2', 0b111_111_111, 0, 0, [], "target/file.dll"),
            new("PaxHeaders/long", (byte)'x', 0b110_100_100, 0, 0, "30 path=app/a-very-long-name\n"u8.ToArray()),
            new(new string('n', 100), (byte)'0', 0b110_100_100, 2097151, 7, Bytes(3, 1)),
            new("app/~!@#$%^&*()_+{}|:<>? ", (byte)'0', 0b111_101_101, 1, 2, Bytes(700, 2)),
        };
        entries.AddRange(sizes.Select((size, i) => new Entry($"app/file{i}.bin", (byte)'0', 0b110_100_100, 0, 0, Bytes(size, size))));

        var expected = SharpZipLibTar(entries);

        Assert.Equal(expected, OurTar(entries));
        // However the content arrives: in one write, or in writes of every size around the buffer's.
        Assert.Equal(expected, OurTar(entries, chunk: 1));
        Assert.Equal(expected, OurTar(entries, chunk: 511));
        Assert.Equal(expected, OurTar(entries, chunk: (1 << 16) - 1));
        Assert.Equal(expected, OurTar(entries, chunk: 1 << 16));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(8_589_934_591L)] // 8 GiB - 1: the largest size in octal
    [InlineData(8_589_934_592L)] // 8 GiB: base-256 from here
    [InlineData(3_000_000_000_000L)]
    public void A_header_of_any_size_is_the_one_SharpZipLib_wrote(long size)
    {
        var expected = new byte[512];
        SharpZipLibHeader("app/big.bin", (byte)'0', 0b110_100_100, 1654, 1654, size, "").WriteHeader(expected, Encoding.UTF8);
        var header = new byte[512];
        LayerTarWriter.FormatHeader(header, "app/big.bin", (byte)'0', 0b110_100_100, 1654, 1654, size, ModificationTime, "");
        Assert.Equal(expected, header);
    }

    [Fact]
    public void A_file_that_shrinks_or_grows_while_it_is_read_is_an_io_error_naming_it()
    {
        var tar = new LayerTarWriter(Stream.Null);
        tar.PutEntry("app/log.txt", (byte)'0', 0b110_100_100, 0, 0, 10, ModificationTime);
        tar.Write(new byte[4]);
        Assert.Contains("'app/log.txt' shrank", Assert.Throws<IOException>(tar.CloseEntry).Message, StringComparison.Ordinal);

        var other = new LayerTarWriter(Stream.Null);
        other.PutEntry("app/log.txt", (byte)'0', 0b110_100_100, 0, 0, 10, ModificationTime);
        Assert.Contains("'app/log.txt' grew", Assert.Throws<IOException>(() => other.Write(new byte[11])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_a_ustar_header_cannot_hold_is_refused_not_cut()
    {
        var tar = new LayerTarWriter(Stream.Null);
        Assert.Throws<ArgumentException>(() => tar.PutEntry(new string('n', 101), (byte)'0', 0, 0, 0, 0, ModificationTime));
        Assert.Throws<ArgumentException>(() => tar.PutEntry("app/é", (byte)'0', 0, 0, 0, 0, ModificationTime));
    }

    [Fact]
    public void A_uid_or_gid_over_seven_octal_digits_is_written_in_base_256()
    {
        var header = new byte[512];
        LayerTarWriter.FormatHeader(header, "app/data", (byte)'5', 0b111_101_101, 1_000_680_000, 2_097_151, 0, ModificationTime, "");

        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0x3b, 0xa5, 0x2a, 0x40 }, header[108..116]);
        Assert.Equal("7777777\0"u8.ToArray(), header[116..124]);
    }
}
