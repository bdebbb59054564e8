using System.Security.Cryptography;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Layers;

public class LayerWriterTests
{
    private static readonly DateTimeOffset FixedTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly LayerOptions Options = new(FixedTime);

    private static TempDirectory CreatePublishFolder()
    {
        var folder = new TempDirectory("cb-publish");
        folder.WriteFile("WebApp.dll", "assembly");
        folder.WriteFile("appsettings.json", "{}");
        folder.WriteFile("wwwroot/css/site.css", "body{}");
        var host = folder.WriteFile("WebApp", "#!apphost");
        File.SetUnixFileMode(host, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        // As NuGet extracts package files: 0744, though an assembly is never executed.
        File.SetUnixFileMode(folder.Combine("WebApp.dll"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return folder;
    }

    [Fact]
    public void Plans_sorted_entries_with_explicit_parent_directories()
    {
        using var folder = CreatePublishFolder();
        var entries = LayerPlanner.PlanDirectory(folder.Path, "/app");

        Assert.Equal(
            ["app", "app/WebApp", "app/WebApp.dll", "app/appsettings.json", "app/wwwroot", "app/wwwroot/css", "app/wwwroot/css/site.css"],
            entries.Select(e => e.ContainerPath));
        Assert.Equal(LayerEntry.ExecutableMode, entries.Single(e => e.ContainerPath == "app/WebApp").Mode);
        Assert.Equal(LayerEntry.RegularFileMode, entries.Single(e => e.ContainerPath == "app/WebApp.dll").Mode);
        Assert.All(entries.Where(e => e.Kind == LayerEntryKind.Directory), e => Assert.Equal(LayerEntry.DirectoryMode, e.Mode));
    }

    [Fact]
    public void Nested_working_directories_get_every_parent()
    {
        using var folder = new TempDirectory();
        folder.WriteFile("a.txt", "a");
        var entries = LayerPlanner.PlanDirectory(folder.Path, "/srv/my/app/");
        Assert.Equal(["srv", "srv/my", "srv/my/app", "srv/my/app/a.txt"], entries.Select(e => e.ContainerPath));
    }

    [Fact]
    public async Task Writes_a_gzipped_tar_with_fixed_owners_times_and_modes_and_both_digests()
    {
        using var folder = CreatePublishFolder();
        using var storeDirectory = new TempDirectory("cb-store");
        var store = new ContentStore(storeDirectory.Path);
        var entries = LayerPlanner.PlanDirectory(folder.Path, "/app");

        var layer = await new LayerWriter(store).WriteAsync(entries, Options, CancellationToken.None);

        Assert.Equal(store.PathOf(layer.Descriptor.Digest), layer.BlobPath);
        var blob = await File.ReadAllBytesAsync(layer.BlobPath!);
        Assert.Equal(blob.LongLength, layer.Descriptor.Size);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob)), layer.Descriptor.Digest.ToString());

        var (tarEntries, diffId) = TarReader.ReadGzippedLayer(layer.BlobPath!);
        Assert.Equal(diffId, layer.DiffId.ToString());
        Assert.Equal(
            ["app/", "app/WebApp", "app/WebApp.dll", "app/appsettings.json", "app/wwwroot/", "app/wwwroot/css/", "app/wwwroot/css/site.css"],
            tarEntries.Select(e => e.Name));
        Assert.All(tarEntries, e =>
        {
            Assert.Equal(0, e.UserId);
            Assert.Equal(0, e.GroupId);
            Assert.Equal("", e.UserName);
            Assert.Equal("", e.GroupName);
            Assert.Equal(FixedTime.UtcDateTime, e.ModTime);
        });
        Assert.Equal(0b111_101_101, tarEntries.Single(e => e.Name == "app/WebApp").Mode);
        Assert.Equal(0b110_100_100, tarEntries.Single(e => e.Name == "app/WebApp.dll").Mode);
        Assert.Equal("body{}", tarEntries.Single(e => e.Name == "app/wwwroot/css/site.css").Content);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(layer.BlobPath!)!, ".tmp-*"));
    }

    [Theory]
    [InlineData(System.IO.Compression.CompressionLevel.Fastest)]
    [InlineData(System.IO.Compression.CompressionLevel.Optimal)]
    [InlineData(System.IO.Compression.CompressionLevel.SmallestSize)]
    public async Task A_zstd_layer_holds_the_same_tar_as_the_gzip_one_its_digest_that_of_the_zstd_bytes(System.IO.Compression.CompressionLevel level)
    {
        using var folder = CreatePublishFolder();
        using var storeDirectory = new TempDirectory("cb-store");
        var writer = new LayerWriter(new ContentStore(storeDirectory.Path));
        var entries = LayerPlanner.PlanDirectory(folder.Path, "/app");

        var gzip = await writer.WriteAsync(entries, Options with { CompressionLevel = level }, CancellationToken.None);
        var zstd = await writer.WriteAsync(entries, Options with { CompressionLevel = level, Compression = LayerCompression.Zstd }, CancellationToken.None);

        Assert.Equal(MediaTypes.OciLayerGzip, gzip.Descriptor.MediaType);
        Assert.Equal("application/vnd.oci.image.layer.v1.tar+zstd", zstd.Descriptor.MediaType);
        var blob = await File.ReadAllBytesAsync(zstd.BlobPath!);
        Assert.Equal(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }, blob[..4]);
        Assert.Equal(blob.LongLength, zstd.Descriptor.Size);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob)), zstd.Descriptor.Digest.ToString());
        // The diff_id is the tar's, whatever compresses it: the same as the gzip layer's, and what ZstdSharp unpacks.
        var (tarEntries, diffId) = TarReader.ReadZstdLayer(zstd.BlobPath!);
        Assert.Equal(gzip.DiffId, zstd.DiffId);
        Assert.Equal(diffId, zstd.DiffId.ToString());
        Assert.Equal(TarReader.ReadGzippedLayer(gzip.BlobPath!).Entries, tarEntries);
        Assert.NotEqual(gzip.Descriptor.Digest, zstd.Descriptor.Digest);
        // Written again, the same bytes.
        Assert.Equal(zstd, await writer.WriteAsync(entries, Options with { CompressionLevel = level, Compression = LayerCompression.Zstd }, CancellationToken.None));
    }

    [Fact]
    public async Task The_same_input_gives_the_same_digests_and_other_content_different_ones()
    {
        using var folder = CreatePublishFolder();
        using var storeDirectory = new TempDirectory("cb-store");
        var writer = new LayerWriter(new ContentStore(storeDirectory.Path));

        var first = await writer.WriteAsync(LayerPlanner.PlanDirectory(folder.Path, "/app"), Options, CancellationToken.None);
        File.SetLastWriteTimeUtc(folder.Combine("WebApp.dll"), DateTime.UtcNow.AddDays(-3));
        var second = await writer.WriteAsync(LayerPlanner.PlanDirectory(folder.Path, "/app"), Options, CancellationToken.None);
        Assert.Equal(first, second);

        folder.WriteFile("WebApp.dll", "assemblx");
        var changed = await writer.WriteAsync(LayerPlanner.PlanDirectory(folder.Path, "/app"), Options, CancellationToken.None);
        Assert.NotEqual(first.Descriptor.Digest, changed.Descriptor.Digest);
        Assert.NotEqual(first.DiffId, changed.DiffId);
    }

    [Fact]
    public async Task A_cancelled_write_leaves_nothing_behind()
    {
        using var folder = CreatePublishFolder();
        using var storeDirectory = new TempDirectory("cb-store");
        var store = new ContentStore(storeDirectory.Path);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new LayerWriter(store).WriteAsync(LayerPlanner.PlanDirectory(folder.Path, "/app"), Options, cancelled.Token));
        Assert.Empty(Directory.GetFiles(Path.Combine(store.Root, "blobs", "sha256")));
    }

    [Fact]
    public async Task A_layer_of_many_gzip_blocks_is_one_stream_that_tar_reads_and_the_same_blob_from_one_worker()
    {
        using var folder = new TempDirectory("cb-publish");
        // Text-like content over several of the writer's blocks, so they are compressed apart and joined.
        var lines = string.Concat(Enumerable.Range(0, 120_000).Select(i => $"line {i * 7919 % 100_003} of the big file\n"));
        folder.WriteFile("big.txt", lines);
        folder.WriteFile("small.txt", "small");
        using var storeDirectory = new TempDirectory("cb-store");
        var entries = LayerPlanner.PlanDirectory(folder.Path, "/app");
        var layer = await new LayerWriter(new ContentStore(storeDirectory.Path)).WriteAsync(entries, Options, CancellationToken.None);
        Assert.True(new FileInfo(folder.Combine("big.txt")).Length > 3 * ParallelGzipStream.BlockSize);

        var list = await ProcessRunner.RunAsync("tar", ["-tzf", layer.BlobPath!]);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal(["app/", "app/big.txt", "app/small.txt"], list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var content = await ProcessRunner.RunAsync("sh", ["-c", "tar -xzOf \"$1\" app/big.txt | sha256sum", "sh", layer.BlobPath!]);
        Assert.StartsWith(Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(lines))), content.Output, StringComparison.Ordinal);

        // Written again with the tar's bytes through a one-worker stream: the same blob, whatever the cores.
        using var tar = new MemoryStream();
        using (var gunzip = new System.IO.Compression.GZipStream(File.OpenRead(layer.BlobPath!), System.IO.Compression.CompressionMode.Decompress))
        {
            gunzip.CopyTo(tar);
        }
        Assert.Equal(layer.DiffId.ToString(), "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar.ToArray())));
        using var again = new MemoryStream();
        using (var gzip = new ParallelGzipStream(again, Options.ZlibLevel, maxBlocksInFlight: 1))
        {
            gzip.Write(tar.ToArray());
            gzip.Complete();
        }
        Assert.Equal(await File.ReadAllBytesAsync(layer.BlobPath!), again.ToArray());
    }

    [Fact]
    public void Layers_are_as_dense_as_the_sdks_by_default()
        => Assert.Equal(System.IO.Compression.CompressionLevel.Optimal, Options.CompressionLevel);

    /// <summary>
    /// OpenShift runs images as a uid such as 1000680000: files owned by the app's user get it. A ustar field holds seven
    /// octal digits (2,097,151), so it goes into a PAX record too, and GNU tar (as containerd's and podman's readers)
    /// reads it back whole; the writer before kept only its low digits.
    /// </summary>
    [Fact]
    public async Task A_uid_over_seven_octal_digits_reaches_a_real_tar_reader_whole()
    {
        using var folder = CreatePublishFolder();
        using var store = new TempDirectory("cb-store");
        var layer = await new LayerWriter(new ContentStore(store.Path)).WriteAsync(
            LayerPlanner.PlanDirectory(folder.Path, "/app"), Options with { UserId = 1_000_680_000, GroupId = 2_097_152 }, CancellationToken.None);

        var listing = await ProcessRunner.RunAsync("tar", ["--numeric-owner", "-tvzf", layer.BlobPath!]);

        Assert.Equal(0, listing.ExitCode);
        var lines = listing.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Length);
        Assert.All(lines, line => Assert.Contains(" 1000680000/2097152 ", line, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.EndsWith(" app/WebApp.dll", StringComparison.Ordinal));
        // In PAX records, POSIX's way (GNU tar reads the base-256 field as well).
        var tar = TarReader.Gunzip(layer.BlobPath!);
        Assert.Equal(7, Count(tar, " uid=1000680000\n"u8));
        Assert.Equal(7, Count(tar, " gid=2097152\n"u8));
    }

    private static int Count(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle)
    {
        var count = 0;
        for (int at; (at = haystack.IndexOf(needle)) >= 0; haystack = haystack[(at + needle.Length)..])
        {
            count++;
        }
        return count;
    }

    /// <summary>Such a layer's key is its own (a layer the old writer cut the uid of is never taken from a cache); pinned, as every other key stays what it was.</summary>
    [Fact]
    public async Task A_layer_whose_owner_needs_pax_has_a_key_of_its_own()
    {
        LayerEntry[] entries = [LayerEntry.Directory("app"), LayerEntry.Directory("app/data")];
        var large = await LayerInputKey.ComputeAsync(entries, Options with { UserId = 1_000_680_000, GroupId = 0 }, CancellationToken.None);
        Assert.Equal(PinnedLargeOwnerKey, large.ToString());
    }

    private const string PinnedLargeOwnerKey = "sha256:8bfdbc0ee8176908b54a7ba455247777c857df4cd188652237533c3cb5c5c7b7";
}
