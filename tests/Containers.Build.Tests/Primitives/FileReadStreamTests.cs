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

    [Fact]
    public void A_reusable_reader_opens_one_file_after_another_by_directory_and_relative_path()
    {
        using var folder = new TempDirectory("cb-read");
        folder.WriteFile("a/one.txt", "first");
        folder.WriteFile("a/zwei-\u00fc\u65e5\u672c.txt", "second, longer");
        using var reader = FileReadStream.Reusable();
        var buffer = new byte[64];

        foreach (var (name, text) in new[] { ("a/one.txt", "first"), ("a/zwei-\u00fc\u65e5\u672c.txt", "second, longer"), ("a/one.txt", "first") })
        {
            using var stream = reader.OpenAt(folder.Path, name);
            Assert.Same(reader, stream);
            Assert.Equal(text.Length, stream.Length);
            Assert.Equal(0, stream.Position);
            Assert.Equal(text.Length, stream.Read(buffer));
            Assert.Equal(text, System.Text.Encoding.UTF8.GetString(buffer, 0, text.Length));
            stream.Position = 1;
            Assert.Equal(text.Length - 1, stream.Read(buffer));
        }
        Assert.False(reader.CanRead);
    }

    [Fact]
    public void A_reusable_reader_fails_on_a_missing_file_or_a_directory_as_opening_a_FileStream_does_and_opens_the_next()
    {
        using var folder = new TempDirectory("cb-read");
        folder.WriteFile("a.txt", "x");
        Directory.CreateDirectory(folder.Combine("sub"));
        using var reader = FileReadStream.Reusable();

        Assert.Throws<FileNotFoundException>(() => reader.OpenAt(folder.Path, "missing.txt"));
        Assert.Throws<UnauthorizedAccessException>(() => reader.OpenAt(folder.Path, "sub"));
        using var stream = reader.OpenAt(folder.Path + "/", "a.txt");
        Assert.Equal(1, stream.Length);
    }

    [Fact]
    public void A_reusable_reader_opens_no_file_while_one_is_open_and_a_one_file_stream_opens_no_other()
    {
        using var folder = new TempDirectory("cb-read");
        var path = folder.WriteFile("a.txt", "x");
        using var reader = FileReadStream.Reusable();
        using var open = reader.OpenAt(folder.Path, "a.txt");
        using var single = new FileReadStream(path);

        Assert.Throws<InvalidOperationException>(() => reader.OpenAt(folder.Path, "a.txt"));
        Assert.Throws<InvalidOperationException>(() => single.OpenAt(folder.Path, "a.txt"));
    }
}
