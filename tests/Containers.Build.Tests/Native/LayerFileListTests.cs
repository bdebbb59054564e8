using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Native;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Native;

public class LayerFileListTests : IDisposable
{
    private static readonly Digest LayerDigest = Digest.Compute("a layer"u8);
    private const string NewlineName = "app/line one\nline two\\n\ttabbed.txt";

    private readonly TempDirectory _folder = new("cb-layer-files");

    public void Dispose() => _folder.Dispose();

    private ContentStore Store => new(_folder.Combine("store"));

    private string RecordPath => _folder.Combine("store", "layer-files-2", LayerDigest.Hex);

    private static readonly LayerPath[] Expected =
    [
        new("usr", LayerPathKind.Directory),
        new("usr/lib/x86_64-linux-gnu", LayerPathKind.Directory),
        new("usr/lib/x86_64-linux-gnu/libz.so.1.2.13", LayerPathKind.File),
        new("usr/lib/x86_64-linux-gnu/libz.so.1", LayerPathKind.Symlink, "libz.so.1.2.13"),
        new("lib", LayerPathKind.Symlink, "usr/lib"),
        new("usr/bin/perl5", LayerPathKind.HardLink, "usr/bin/perl"),
        new("etc/.wh.hosts", LayerPathKind.File),
        new("opt/.wh..wh..opq", LayerPathKind.File),
        new(NewlineName, LayerPathKind.File),
        new("run/pipe", LayerPathKind.Other),
        new("abs/olute", LayerPathKind.File),
        new("etc/ld.so.conf.d/vendor.conf", LayerPathKind.File) { Text = VendorConfiguration },
    ];

    // A loader configuration file: its text is kept, tabs, backslashes and line breaks included.
    private const string VendorConfiguration = "# vendor\n/opt/vendor/lib\t/opt/vendor\\lib64\r\n";

    /// <summary>A layer as engines and tools write them: "./" names, directories with a trailing "/", links, whiteouts, a pax global header.</summary>
    private string WriteLayer(bool gzip = true)
    {
        var path = _folder.Combine(gzip ? "layer.tar.gz" : "layer.tar");
        using var file = File.Create(path);
        using (Stream content = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file)
        using (var writer = new TarWriter(content, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["comment"] = "made by a test" }));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./usr/"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./usr/lib/x86_64-linux-gnu/"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./usr/lib/x86_64-linux-gnu/libz.so.1.2.13") { DataStream = new MemoryStream("zlib"u8.ToArray()) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "./usr/lib/x86_64-linux-gnu/libz.so.1") { LinkName = "libz.so.1.2.13" });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "lib") { LinkName = "usr/lib" });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "./usr/bin/perl5") { LinkName = "./usr/bin/perl" });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./etc/.wh.hosts"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./opt/.wh..wh..opq"));
            // In a ustar header, as Go's archive/tar writes a short name: the runtime's reader rejects a pax record holding a newline.
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "./" + NewlineName) { DataStream = new MemoryStream("x"u8.ToArray()) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Fifo, "./run/pipe"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "/abs/./olute"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./etc/ld.so.conf.d/vendor.conf") { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(VendorConfiguration)) });
        }
        return path;
    }

    private static Func<CancellationToken, Task<string>> Returns(string path) => _ => Task.FromResult(path);

    private static Task<string> MustNotBeCalled(CancellationToken _) => throw new InvalidOperationException("The layer was read again.");

    [Fact]
    public async Task Every_entry_is_listed_with_its_kind_and_a_normalized_path()
    {
        var entries = await LayerFileList.ReadAsync(LayerDigest, Returns(WriteLayer()), Store, CancellationToken.None);

        Assert.Equal(Expected, entries);
    }

    [Fact]
    public async Task A_plain_tar_is_read_too()
    {
        var entries = await LayerFileList.ReadAsync(LayerDigest, Returns(WriteLayer(gzip: false)), Store, CancellationToken.None);

        Assert.Equal(Expected, entries);
    }

    [Fact]
    public async Task A_zstd_layer_is_read_too()
    {
        var tar = File.ReadAllBytes(WriteLayer(gzip: false));
        var path = _folder.Combine("layer.tar.zst");
        using (var file = File.Create(path))
        using (var zstd = new ZstdLayerStream(file, CompressionLevel.Optimal, workers: 2))
        {
            zstd.Write(tar);
            zstd.Complete();
        }

        var entries = await LayerFileList.ReadAsync(LayerDigest, Returns(path), Store, CancellationToken.None);

        Assert.Equal(Expected, entries);
    }

    [Fact]
    public async Task A_second_read_comes_from_the_record_without_the_layer()
    {
        await LayerFileList.ReadAsync(LayerDigest, Returns(WriteLayer()), Store, CancellationToken.None);

        var again = await LayerFileList.ReadAsync(LayerDigest, MustNotBeCalled, new ContentStore(_folder.Combine("store")), CancellationToken.None);

        Assert.Equal(Expected, again);
    }

    [Fact]
    public async Task A_name_with_a_newline_stays_on_its_line_of_the_record()
    {
        await LayerFileList.ReadAsync(LayerDigest, Returns(WriteLayer()), Store, CancellationToken.None);

        var lines = File.ReadAllText(RecordPath, Encoding.UTF8).Split('\n');

        // The header, one line an entry, the count, and the empty rest after the last line feed.
        Assert.Equal(Expected.Length + 3, lines.Length);
        Assert.Contains("f\tapp/line one\\nline two\\\\n\\ttabbed.txt", lines);
    }

    [Fact]
    public async Task A_record_is_written_whole_or_not_at_all()
    {
        var whole = await File.ReadAllBytesAsync(WriteLayer());
        var cut = _folder.Combine("cut.tar.gz");
        await File.WriteAllBytesAsync(cut, whole[..(whole.Length * 2 / 3)]);

        await Assert.ThrowsAsync<UnreadableLayerException>(() => LayerFileList.ReadAsync(LayerDigest, Returns(cut), Store, CancellationToken.None));

        var recordFolder = _folder.Combine("store", "layer-files-2");
        Assert.Empty(Directory.Exists(recordFolder) ? Directory.GetFiles(recordFolder) : []);

        await LayerFileList.ReadAsync(LayerDigest, Returns(WriteLayer()), Store, CancellationToken.None);
        Assert.Equal([RecordPath], Directory.GetFiles(recordFolder));
    }

    [Fact]
    public async Task Not_a_tar_is_unreadable_and_says_which_layer()
    {
        var file = _folder.WriteFile("not-a-tar", new string('x', 2000));

        var error = await Assert.ThrowsAsync<UnreadableLayerException>(() => LayerFileList.ReadAsync(LayerDigest, Returns(file), Store, CancellationToken.None));

        Assert.Equal(LayerDigest, error.Digest);
        Assert.Contains(LayerDigest.ToString(), error.Message);
    }

    [Fact]
    public async Task A_pax_record_holding_a_newline_is_unreadable_and_nothing_is_recorded()
    {
        // System.Formats.Tar splits pax records at newlines instead of by their length (a long name with a newline, or
        // an xattr value with a 0x0A byte): such a layer cannot be listed, and says so.
        var path = _folder.Combine("newline-pax.tar");
        await using (var file = System.IO.File.Create(path))
        await using (var writer = new TarWriter(file, TarEntryFormat.Pax))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "app/" + new string('a', 120) + "\nb"));
        }

        await Assert.ThrowsAsync<UnreadableLayerException>(() => LayerFileList.ReadAsync(LayerDigest, Returns(path), Store, CancellationToken.None));
        Assert.False(System.IO.File.Exists(RecordPath));
    }

    [Theory]
    [InlineData("")]
    [InlineData("containers-build layer-files 2\nf\tusr\nend\t2\n")]
    [InlineData("containers-build layer-files 2\nf\tusr\\q\nend\t1\n")]
    [InlineData("containers-build layer-files 2\nl\tlib\nend\t1\n")]
    [InlineData("containers-build layer-files 2\nz\tusr\nend\t1\n")]
    [InlineData("containers-build layer-files 2\nf\tusr\n")]
    [InlineData("containers-build layer-files 9\nf\tusr\nend\t1\n")]
    public async Task A_damaged_record_is_a_miss_and_is_replaced(string damaged)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(RecordPath)!);
        await File.WriteAllTextAsync(RecordPath, damaged);

        var entries = await LayerFileList.ReadAsync(LayerDigest, Returns(WriteLayer()), Store, CancellationToken.None);
        var again = await LayerFileList.ReadAsync(LayerDigest, MustNotBeCalled, Store, CancellationToken.None);

        Assert.Equal(Expected, entries);
        Assert.Equal(Expected, again);
    }

    [Fact]
    public async Task With_a_shared_folder_another_project_reads_the_list_from_it_and_no_layer()
    {
        var shared = _folder.Combine("machine");
        var first = new ContentStore(_folder.Combine("project-a"), shared);
        var second = new ContentStore(_folder.Combine("project-b"), shared);

        var listed = await LayerFileList.ReadAsync(LayerDigest, Returns(WriteLayer()), first, CancellationToken.None);
        Assert.False(LayerFileList.IsRecorded(LayerDigest, new ContentStore(_folder.Combine("project-c"))));
        Assert.True(LayerFileList.IsRecorded(LayerDigest, second));
        var reused = await LayerFileList.ReadAsync(LayerDigest, MustNotBeCalled, second, CancellationToken.None);

        Assert.Equal(Expected, listed);
        Assert.Equal(Expected, reused);
        // Kept once, for the machine: neither project's store has a copy.
        Assert.True(File.Exists(Path.Combine(shared, "layer-files-2", LayerDigest.Hex)));
        Assert.False(Directory.Exists(_folder.Combine("project-a", "layer-files-2")));
    }

    [Fact]
    public async Task A_record_in_the_projects_store_still_counts_with_a_shared_folder()
    {
        await LayerFileList.ReadAsync(LayerDigest, Returns(WriteLayer()), Store, CancellationToken.None);

        var withShared = new ContentStore(_folder.Combine("store"), _folder.Combine("machine"));
        Assert.True(LayerFileList.IsRecorded(LayerDigest, withShared));
        Assert.Equal(Expected, await LayerFileList.ReadAsync(LayerDigest, MustNotBeCalled, withShared, CancellationToken.None));
    }

    [Fact]
    public async Task Writing_a_shared_record_removes_the_ones_unused_for_a_month_and_keeps_the_rest()
    {
        var shared = _folder.Combine("machine");
        var records = Path.Combine(shared, "layer-files-2");
        Directory.CreateDirectory(records);
        var stale = Path.Combine(records, Digest.Compute("an old base"u8).Hex);
        var recent = Path.Combine(records, Digest.Compute("a base still built on"u8).Hex);
        var notOurs = Path.Combine(records, "notes.txt");
        foreach (var file in new[] { stale, recent, notOurs })
        {
            await File.WriteAllTextAsync(file, "x");
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow - LayerFileList.SharedRecordLifetime - TimeSpan.FromDays(1));
        }
        File.SetLastWriteTimeUtc(recent, DateTime.UtcNow - LayerFileList.SharedRecordLifetime + TimeSpan.FromDays(1));

        await LayerFileList.ReadAsync(LayerDigest, Returns(WriteLayer()), new ContentStore(_folder.Combine("project"), shared), CancellationToken.None);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(recent));
        Assert.True(File.Exists(notOurs));
        Assert.True(File.Exists(Path.Combine(records, LayerDigest.Hex)));
    }

    [Fact]
    public async Task Reading_a_shared_record_marks_it_used()
    {
        var shared = _folder.Combine("machine");
        await LayerFileList.ReadAsync(LayerDigest, Returns(WriteLayer()), new ContentStore(_folder.Combine("project-a"), shared), CancellationToken.None);
        var record = Path.Combine(shared, "layer-files-2", LayerDigest.Hex);
        File.SetLastWriteTimeUtc(record, DateTime.UtcNow - TimeSpan.FromDays(20));

        await LayerFileList.ReadAsync(LayerDigest, MustNotBeCalled, new ContentStore(_folder.Combine("project-b"), shared), CancellationToken.None);

        Assert.True(DateTime.UtcNow - File.GetLastWriteTimeUtc(record) < TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task A_shared_folder_that_cannot_be_made_leaves_the_list_to_the_projects_store()
    {
        // A file where the folder would be: no folder can be made there.
        var blocked = _folder.Combine("not-a-folder");
        await File.WriteAllTextAsync(blocked, "x");
        var store = new ContentStore(_folder.Combine("store"), Path.Combine(blocked, "cache"));

        Assert.Null(store.SharedRoot);
        Assert.Equal(Expected, await LayerFileList.ReadAsync(LayerDigest, Returns(WriteLayer()), store, CancellationToken.None));
        Assert.True(File.Exists(RecordPath));
    }

    [Theory]
    [InlineData("./usr/lib/", "usr/lib")]
    [InlineData("/usr//lib/./x", "usr/lib/x")]
    [InlineData("usr/../../../etc/passwd", "etc/passwd")]
    [InlineData("./", "")]
    [InlineData(".", "")]
    public void Names_are_paths_from_the_root(string name, string normalized)
    {
        Assert.Equal(normalized, LayerFileList.NormalizeName(name));
    }
}
