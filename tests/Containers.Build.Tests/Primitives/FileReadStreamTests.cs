using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Primitives;

/// <summary>The stream every published file is read through: reads, seeks and errors as a FileStream would.</summary>
public class FileReadStreamTests
{
    [Fact]
    public void Reads_the_file_through_and_seeks_back_to_read_it_again()
    {
        using var folder = new TempDirectory("cb-read");
        var path = folder.WriteFile("a.txt", "0123456789");
        using var stream = new FileReadStream(path);
        var buffer = new byte[4];

        Assert.Equal(10, stream.Length);
        Assert.Equal(4, stream.Read(buffer, 0, 4));
        Assert.Equal("0123", System.Text.Encoding.ASCII.GetString(buffer));
        Assert.Equal(4, stream.Position);
        Assert.Equal(7, stream.Seek(3, SeekOrigin.Current));
        Assert.Equal(3, stream.Read(buffer));
        Assert.Equal("789", System.Text.Encoding.ASCII.GetString(buffer, 0, 3));
        Assert.Equal(0, stream.Read(buffer));

        stream.Position = 0;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        Assert.Equal("0123456789", System.Text.Encoding.ASCII.GetString(copy.ToArray()));
        Assert.Equal(8, stream.Seek(-2, SeekOrigin.End));
    }

    [Fact]
    public void The_length_is_the_files_when_it_was_opened_and_reads_see_what_it_holds_now()
    {
        using var folder = new TempDirectory("cb-read");
        var path = folder.WriteFile("a.txt", "12345");
        using var stream = new FileReadStream(path);
        File.AppendAllText(path, "678");
        var buffer = new byte[16];

        // The writer compares the two: a file that grew after its header was written is an error, not a layer.
        Assert.Equal(5, stream.Length);
        Assert.Equal(8, stream.Read(buffer));
    }

    [Fact]
    public void A_missing_file_or_a_directory_fails_as_opening_a_FileStream_does()
    {
        using var folder = new TempDirectory("cb-read");

        Assert.Throws<FileNotFoundException>(() => { using var _ = new FileReadStream(folder.Combine("missing.txt")); });
        Assert.Throws<UnauthorizedAccessException>(() => { using var _ = new FileReadStream(folder.Path); });
    }

    [Fact]
    public void Disposed_it_reads_no_more_and_cannot_be_written()
    {
        using var folder = new TempDirectory("cb-read");
        var stream = new FileReadStream(folder.WriteFile("a.txt", "x"));

        Assert.Throws<NotSupportedException>(() => stream.Write([1], 0, 1));
        stream.Dispose();
        Assert.False(stream.CanRead);
        Assert.Throws<ObjectDisposedException>(() => stream.Read(new byte[1]));
    }
}
