using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Tests.Integration;
using Containers.Build.Tests.Support;
using ICSharpCode.SharpZipLib.Tar;

namespace Containers.Build.Tests.Layers;

/// <summary>Publish folders with links, long and non-ASCII names, and names that would mean something else in a layer.</summary>
public class HostilePublishFolderTests : IDisposable
{
    private static readonly LayerOptions Options = new(DateTimeOffset.UnixEpoch);
    private readonly TempDirectory _folder = new("cb-hostile");
    private readonly TempDirectory _store = new("cb-store");

    public void Dispose()
    {
        _folder.Dispose();
        _store.Dispose();
    }

    private async Task<(IReadOnlyList<TarEntryInfo> Entries, Layer Layer)> WriteAsync(LayerOptions? options = null)
    {
        var layer = await new LayerWriter(new ContentStore(_store.Path)).WriteAsync(LayerPlanner.PlanDirectory(_folder.Path, "/app"), options ?? Options, CancellationToken.None);
        return (TarReader.ReadGzippedLayer(layer.BlobPath!).Entries, layer);
    }

    [Fact]
    public async Task Symlinks_are_stored_as_links_and_never_followed()
    {
        var outside = _store.WriteFile("outside-secret.txt", "must not be read");
        _folder.WriteFile("real.txt", "real");
        File.CreateSymbolicLink(_folder.Combine("to-outside"), outside);
        File.CreateSymbolicLink(_folder.Combine("relative"), "real.txt");
        Directory.CreateDirectory(_store.Combine("outside-dir"));
        _store.WriteFile("outside-dir/inner.txt", "must not be listed");
        Directory.CreateSymbolicLink(_folder.Combine("dir-link"), _store.Combine("outside-dir"));

        var (entries, _) = await WriteAsync();

        var toOutside = entries.Single(e => e.Name == "app/to-outside");
        Assert.Equal(TarHeader.LF_SYMLINK, toOutside.TypeFlag);
        Assert.Equal(outside, toOutside.LinkName);
        Assert.Equal(0, toOutside.Size);
        Assert.Equal("real.txt", entries.Single(e => e.Name == "app/relative").LinkName);
        Assert.Equal(TarHeader.LF_SYMLINK, entries.Single(e => e.Name == "app/dir-link").TypeFlag);
        Assert.DoesNotContain(entries, e => e.Name.Contains("inner.txt", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Content.Contains("must not", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hard_links_become_regular_files()
    {
        var original = _folder.WriteFile("a.txt", "shared content");
        var linked = _folder.Combine("b.txt");
        var link = await ProcessRunner.RunAsync("ln", [original, linked]);
        Assert.Equal(0, link.ExitCode);

        var (entries, _) = await WriteAsync();
        var b = entries.Single(e => e.Name == "app/b.txt");
        Assert.Equal(TarHeader.LF_NORMAL, b.TypeFlag);
        Assert.Equal("shared content", b.Content);
    }

    [Fact]
    public async Task Long_and_non_ascii_names_use_pax_records_that_gnu_tar_reads()
    {
        var longName = string.Join('/', Enumerable.Repeat("a-rather-long-directory-name", 5)) + "/file.txt";
        _folder.WriteFile(longName, "deep");
        _folder.WriteFile("données/résumé-日本.txt", "unicode");

        var (entries, layer) = await WriteAsync();

        Assert.Contains(entries, e => e.Name == "app/" + longName && e.Content == "deep");
        Assert.Contains(entries, e => e.Name == "app/données/résumé-日本.txt" && e.Content == "unicode");

        // GNU tar, which nobody here wrote, reads the same names. (The PAX headers' own names: the test below.)
        var list = await ProcessRunner.RunAsync("tar", ["-tzf", layer.BlobPath!]);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("app/" + longName, list.Output, StringComparison.Ordinal);
        Assert.Contains("app/données/résumé-日本.txt", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pax_headers_have_fixed_names_without_a_process_id()
    {
        // Tar readers fold a PAX header into the entry after it, so its name is checked in the raw bytes. Many
        // writers name it "./PaxHeaders.<pid>/<name>", which would make every build's layer digest differ.
        _folder.WriteFile(new string('x', 150) + ".txt", "long");
        _folder.WriteFile("données/résumé-日本.txt", "unicode");

        var (_, layer) = await WriteAsync();
        var headers = RawTarReader.ReadGzippedHeaders(layer.BlobPath!);
        var paxNames = headers.Where(h => h.TypeFlag is 'x' or 'g').Select(h => h.Name).ToArray();

        // "PaxHeaders/" and the entry's last path segment, non-ASCII as '_', cut to ustar's 100 bytes.
        Assert.Equal(
            ["PaxHeaders/donn_es", "PaxHeaders/r_sum_-__.txt", "PaxHeaders/" + new string('x', 89)],
            paxNames.Order(StringComparer.Ordinal));
        Assert.All(paxNames, name => Assert.DoesNotContain(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), name, StringComparison.Ordinal));
        // Each one describes the entry right after it (a regular file or directory, not another PAX header).
        Assert.All(headers.Select((h, i) => (h, i)).Where(p => p.h.TypeFlag is 'x' or 'g'),
            p => Assert.Contains(headers[p.i + 1].TypeFlag, "05"));
    }

    [Fact]
    public async Task Pax_layers_are_reproducible()
    {
        _folder.WriteFile(new string('x', 150) + ".txt", "x");
        var first = (await WriteAsync()).Layer;
        var second = (await WriteAsync()).Layer;
        Assert.Equal(first.Descriptor.Digest, second.Descriptor.Digest);
    }

    [Fact]
    public void A_whiteout_name_is_an_error_naming_the_file()
    {
        _folder.WriteFile("data/.wh.config", "x");
        var error = Assert.Throws<WhiteoutNameException>(() => LayerPlanner.PlanDirectory(_folder.Path, "/app"));
        Assert.Equal("data/.wh.config", error.RelativePath);
        Assert.Contains("whiteout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_can_be_owned_by_the_app_user()
    {
        _folder.WriteFile("app.dll", "x");
        var (entries, _) = await WriteAsync(Options with { UserId = 1654, GroupId = 1654 });
        Assert.All(entries, e => Assert.Equal((1654, 1654), (e.UserId, e.GroupId)));
    }

    /// <summary>The name when it says it all, the content otherwise: a template's appsettings.Development.json is no secret.</summary>
    [Theory]
    [InlineData(".env", "A=1", true)]
    [InlineData(".env.production", "A=1", true)]
    [InlineData(".env.example", "A=", false)]
    [InlineData("cert.pfx", "binary", true)]
    [InlineData("server.KEY", "x", true)]
    [InlineData("id_rsa", "x", true)]
    [InlineData("id_rsa.pub", "ssh-rsa AAAA", false)]
    [InlineData("secrets.json", "{}", true)]
    [InlineData("appsettings.Development.json", """{"Logging":{"LogLevel":{"Default":"Information","Microsoft.AspNetCore":"Warning"}}}""", false)]
    [InlineData("appsettings.Development.json", """{"ConnectionStrings":{"Default":"Server=db;Password=hunter2"}}""", true)]
    [InlineData("appsettings.json", """{"Smtp":{"Password":"hunter2"}}""", true)]
    [InlineData("appsettings.json", """{"Smtp":{"Password":""},"Auth":{"TokenLifetime":{"Minutes":5}}}""", false)]
    [InlineData("appsettings.json", """{"Github":{"AccessToken":"ghp_x"}}""", true)]
    [InlineData("appsettings.json", """{"AllowedHosts":"*"}""", false)]
    [InlineData("ca-bundle.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", false)]
    [InlineData("tls.pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", true)]
    [InlineData("app.deps.json", """{"targets":{"Password":"x"}}""", false)]
    [InlineData("keys.dll", "x", false)]
    [InlineData("environment.txt", "PATH=/bin", false)]
    public async Task Secret_files_are_recognized_by_name_or_content(string name, string content, bool secret)
    {
        var file = _folder.WriteFile(name, content.Replace("\\n", "\n", StringComparison.Ordinal));
        LayerEntry[] entries = [LayerEntry.Directory("app"), LayerEntry.File("app/" + name, file, false)];
        string[] expected = secret ? ["/app/" + name] : [];

        // Judged from either read a layer's files get: the one for the input key, or the tar's that gives the key.
        var keyRead = new SecretScan();
        await LayerInputKey.ComputeAsync(entries, Options, CancellationToken.None, keyRead);
        Assert.Equal(expected, keyRead.Found);
        var tarRead = new SecretScan();
        await new LayerWriter(new ContentStore(_store.Path)).WriteKeyedAsync(entries, Options, CancellationToken.None, tarRead);
        Assert.Equal(expected, tarRead.Found);
    }

    [Fact]
    public async Task Only_small_text_files_are_judged_by_content_and_each_file_is_named_once()
    {
        var key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
        var large = _folder.WriteFile("large.txt", key + new string('x', SecretFileDetector.MaxContentBytes));
        var small = _folder.WriteFile("small.txt", key + new string('x', SecretFileDetector.MaxContentBytes - key.Length));
        var scan = new SecretScan();
        // Twice, as two platforms' layers with the same file read it.
        for (var platform = 0; platform < 2; platform++)
        {
            await LayerInputKey.ComputeAsync([LayerEntry.File("app/large.txt", large, false), LayerEntry.File("app/small.txt", small, false)], Options, CancellationToken.None, scan);
        }
        Assert.Equal(["/app/small.txt"], scan.Found);
    }

    [Fact]
    public async Task A_fifo_or_a_socket_is_an_error_naming_it_and_is_never_opened()
    {
        _folder.WriteFile("App.dll", "app");
        var mkfifo = await ProcessRunner.RunAsync("mkfifo", [_folder.Combine("pipe")], _folder.Path);
        Assert.Equal(0, mkfifo.ExitCode);
        // Planning must not open the FIFO: a read would wait for a writer forever.
        var planning = Task.Run(() => LayerPlanner.PlanDirectory(_folder.Path, "/app"));
        var finished = await Task.WhenAny(planning, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(planning, finished);
        var fifo = await Assert.ThrowsAsync<SpecialFileException>(() => planning);
        Assert.Equal("pipe", fifo.RelativePath);
        Assert.Contains("a FIFO", fifo.Message, StringComparison.Ordinal);
        var (code, _) = Containers.Build.Tasks.ErrorBoundary.Diagnose(fifo, new(null, null, false));
        Assert.Equal(Containers.Build.Tasks.DiagnosticCodes.SpecialFileInPublishOutput, code);

        File.Delete(_folder.Combine("pipe"));
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(_folder.Combine("app.sock")));
        var unix = Assert.Throws<SpecialFileException>(() => LayerPlanner.PlanDirectory(_folder.Path, "/app"));
        Assert.Contains("a socket", unix.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_directories_are_kept()
    {
        _folder.WriteFile("App.dll", "app");
        Directory.CreateDirectory(_folder.Combine("logs"));
        Directory.CreateDirectory(_folder.Combine("data/cache/deep"));

        var (entries, _) = await WriteAsync();

        Assert.Contains(entries, e => e.Name == "app/logs/" && e.IsDirectory);
        Assert.Contains(entries, e => e.Name == "app/data/cache/deep/" && e.IsDirectory);
    }

    [Theory]
    [InlineData("app/../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("app/./x")]
    [InlineData("app//x")]
    [InlineData("app/x/")]
    [InlineData("app/..")]
    [InlineData("")]
    public async Task No_entry_is_ever_written_outside_the_image_root(string path)
    {
        var file = _folder.WriteFile("x", "x");
        var error = await Assert.ThrowsAsync<UnsafeEntryPathException>(() =>
            new LayerWriter(new ContentStore(_store.Path)).WriteAsync([LayerEntry.File(path, file, false)], Options, CancellationToken.None));
        Assert.Equal(path, error.Path);
        Assert.Empty(Directory.GetFiles(_store.Combine("blobs", "sha256")));
    }
}

/// <summary>A file over 8 GiB: its size no longer fits ustar's 11 octal digits and goes into a PAX record.</summary>
public class HugeFileTests
{
    [Fact]
    public async Task A_file_over_8_GiB_is_written_with_a_pax_size_that_gnu_tar_reads()
    {
        using var folder = new TempDirectory("cb-huge");
        using var store = new TempDirectory("cb-huge-store");
        var huge = folder.Combine("huge.bin");
        const long size = (8L << 30) + 4096;
        await using (var file = new FileStream(huge, FileMode.CreateNew))
        {
            file.SetLength(size); // sparse: no disk space used
        }

        var layer = await new LayerWriter(new ContentStore(store.Path)).WriteAsync(
            LayerPlanner.PlanDirectory(folder.Path, "/app"), new LayerOptions(DateTimeOffset.UnixEpoch), CancellationToken.None);

        var list = await ProcessRunner.RunAsync("tar", ["-tvzf", layer.BlobPath!], timeout: TimeSpan.FromMinutes(5));
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains($" {size} ", list.Output, StringComparison.Ordinal);
        Assert.Contains("app/huge.bin", list.Output, StringComparison.Ordinal);
    }
}
