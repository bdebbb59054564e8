using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Layers;

public class LayerCacheTests : IDisposable
{
    private static readonly LayerOptions Options = new(DateTimeOffset.UnixEpoch);
    private readonly TempDirectory _folder = new("cb-cache-src");
    private readonly TempDirectory _store = new("cb-cache");

    public LayerCacheTests()
    {
        _folder.WriteFile("App.dll", "version one");
        _folder.WriteFile("wwwroot/index.html", "<p>hi</p>");
    }

    public void Dispose()
    {
        _folder.Dispose();
        _store.Dispose();
    }

    private IReadOnlyList<LayerEntry> Entries => LayerPlanner.PlanDirectory(_folder.Path, "/app");

    private int BlobCount => Directory.GetFiles(Path.Combine(_store.Path, "blobs", "sha256")).Length;

    [Fact]
    public async Task Unchanged_inputs_are_not_written_again()
    {
        var cache = new LayerCache(new ContentStore(_store.Path));
        var first = await cache.GetOrWriteAsync(Entries, Options, CancellationToken.None);
        var blobWrittenAt = File.GetLastWriteTimeUtc(first.Layer.BlobPath!);
        var second = await cache.GetOrWriteAsync(Entries, Options, CancellationToken.None);

        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(first.Layer, second.Layer);
        Assert.Equal(blobWrittenAt, File.GetLastWriteTimeUtc(second.Layer.BlobPath!));
        Assert.Equal(1, BlobCount);
    }

    [Fact]
    public async Task A_layer_written_with_its_key_from_the_same_read_gets_the_key_a_separate_read_gives()
    {
        _folder.WriteFile("empty.txt", "");
        _folder.WriteFile("data/big.bin", new string('x', 300_000) + "end");
        File.CreateSymbolicLink(_folder.Combine("link"), "App.dll");
        Directory.CreateDirectory(_folder.Combine("empty-dir"));
        var entries = Entries;
        Assert.Contains(entries, e => e.Kind == LayerEntryKind.Symlink);

        var (layer, key) = await new LayerWriter(new ContentStore(_store.Path)).WriteKeyedAsync(entries, Options, CancellationToken.None);
        var written = await new LayerWriter(new ContentStore(_store.Path)).WriteAsync(entries, Options, CancellationToken.None);

        Assert.Equal(await LayerInputKey.ComputeAsync(entries, Options, CancellationToken.None), key);
        Assert.Equal(written, layer);
    }

    [Fact]
    public async Task Many_files_read_side_by_side_give_the_key_of_their_order_and_a_file_gone_is_its_own_error()
    {
        for (var i = 0; i < 300; i++)
        {
            _folder.WriteFile($"content/f{i:D3}.txt", $"file {i}");
        }
        var entries = Entries;
        var (_, written) = await new LayerWriter(new ContentStore(_store.Path)).WriteKeyedAsync(entries, Options, CancellationToken.None);
        Assert.Equal(written, await LayerInputKey.ComputeAsync(entries, Options, CancellationToken.None));

        File.Delete(_folder.Combine("content/f150.txt"));
        // The file's own exception, not an AggregateException: the publish turns it into a coded error (LayerWriteException).
        await Assert.ThrowsAsync<FileNotFoundException>(() => LayerInputKey.ComputeAsync(entries, Options, CancellationToken.None));
    }

    [Fact]
    public async Task A_store_with_no_layer_and_a_source_that_holds_none_writes_at_once_and_one_that_holds_some_is_asked()
    {
        var empty = new FakeKeyedSource(holdsAny: false);
        var written = await new LayerCache(new ContentStore(_store.Path)).GetOrWriteAsync(Entries, Options, CancellationToken.None, empty);
        Assert.Equal(0, empty.Asked);
        Assert.False(written.FromCache);

        // Another store, empty too, but the source holds layers: the key comes first, and the source is asked for it.
        using var other = new TempDirectory("cb-cache-other");
        var holding = new FakeKeyedSource(holdsAny: true);
        var again = await new LayerCache(new ContentStore(other.Path)).GetOrWriteAsync(Entries, Options, CancellationToken.None, holding);
        Assert.Equal(1, holding.Asked);
        Assert.Equal(written.Key, again.Key);
        Assert.Equal(written.Key, holding.AskedFor);
    }

    private sealed class FakeKeyedSource(bool holdsAny) : IKeyedLayerSource
    {
        public int Asked { get; private set; }
        public Digest? AskedFor { get; private set; }

        public Task<Layer?> FindAsync(Digest key, CancellationToken cancellationToken)
        {
            Asked++;
            AskedFor = key;
            return Task.FromResult<Layer?>(null);
        }

        public Task<bool> HoldsAnyAsync() => Task.FromResult(holdsAny);
    }

    [Theory]
    [InlineData(LayerKind.Application, 4)]
    [InlineData(LayerKind.ProjectReferences, 4)]
    [InlineData(LayerKind.StaticWebAssets, 4)]
    [InlineData(LayerKind.Packages, null)]
    [InlineData(LayerKind.ExtraFiles, null)]
    public void Unless_a_level_is_set_the_layers_of_the_projects_own_files_get_zlibs_level_4(LayerKind kind, int? expected)
    {
        var byKind = Options with { LevelByKind = true };

        Assert.Equal(expected, byKind.For(kind).DeflateLevel);
        // A level that was set is every layer's, and zstd has its own levels.
        Assert.Null(Options.For(kind).DeflateLevel);
        Assert.Null((byKind with { Compression = LayerCompression.Zstd }).For(kind).DeflateLevel);
    }

    /// <summary>The packages layer's entries have one time whatever the commit; every other layer has the image's.</summary>
    [Theory]
    [InlineData(LayerKind.Packages, 0L)]
    [InlineData(LayerKind.Application, 1_700_000_000L)]
    [InlineData(LayerKind.ProjectReferences, 1_700_000_000L)]
    [InlineData(LayerKind.StaticWebAssets, 1_700_000_000L)]
    [InlineData(LayerKind.ExtraFiles, 1_700_000_000L)]
    public async Task Only_the_packages_layer_leaves_the_commits_time_out(LayerKind kind, long expected)
    {
        var commit = new LayerOptions(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)) { LevelByKind = true };
        var nextCommit = commit with { ModificationTime = DateTimeOffset.FromUnixTimeSeconds(1_700_086_400) };

        Assert.Equal(expected, commit.For(kind).ModificationTime.ToUnixTimeSeconds());
        var layer = await new LayerWriter(new ContentStore(_store.Path)).WriteAsync(Entries, commit.For(kind), CancellationToken.None);
        Assert.All(TarReader.ReadGzippedLayer(layer.BlobPath!).Entries, e => Assert.Equal(DateTime.UnixEpoch.AddSeconds(expected), e.ModTime));
        var keys = (await LayerInputKey.ComputeAsync(Entries, commit.For(kind), CancellationToken.None), await LayerInputKey.ComputeAsync(Entries, nextCommit.For(kind), CancellationToken.None));
        Assert.Equal(kind == LayerKind.Packages, keys.Item1 == keys.Item2);
    }

    [Fact]
    public async Task A_layer_at_a_zlib_level_of_its_own_has_a_key_of_its_own_and_the_others_keep_theirs()
    {
        var optimal = await LayerInputKey.ComputeAsync(Entries, Options, CancellationToken.None);
        var packages = await LayerInputKey.ComputeAsync(Entries, (Options with { LevelByKind = true }).For(LayerKind.Packages), CancellationToken.None);
        var application = await LayerInputKey.ComputeAsync(Entries, (Options with { LevelByKind = true }).For(LayerKind.Application), CancellationToken.None);

        Assert.Equal(optimal, packages);
        Assert.NotEqual(optimal, application);
    }

    [Fact]
    public async Task Same_size_and_time_but_other_bytes_is_a_new_layer()
    {
        var cache = new LayerCache(new ContentStore(_store.Path));
        var first = await cache.GetOrWriteAsync(Entries, Options, CancellationToken.None);

        var file = _folder.Combine("App.dll");
        var time = File.GetLastWriteTimeUtc(file);
        File.WriteAllText(file, "version two");
        File.SetLastWriteTimeUtc(file, time);
        var second = await cache.GetOrWriteAsync(Entries, Options, CancellationToken.None);

        Assert.False(second.FromCache);
        Assert.NotEqual(first.Layer.Descriptor.Digest, second.Layer.Descriptor.Digest);
    }

    [Fact]
    public async Task Options_are_part_of_the_key()
    {
        var cache = new LayerCache(new ContentStore(_store.Path));
        await cache.GetOrWriteAsync(Entries, Options, CancellationToken.None);
        Assert.False((await cache.GetOrWriteAsync(Entries, Options with { UserId = 1654 }, CancellationToken.None)).FromCache);
        Assert.False((await cache.GetOrWriteAsync(Entries, Options with { ModificationTime = DateTimeOffset.FromUnixTimeSeconds(5) }, CancellationToken.None)).FromCache);
        var fastest = await cache.GetOrWriteAsync(Entries, Options with { CompressionLevel = System.IO.Compression.CompressionLevel.Fastest }, CancellationToken.None);
        Assert.False(fastest.FromCache);
        Assert.True((await cache.GetOrWriteAsync(Entries, Options with { CompressionLevel = System.IO.Compression.CompressionLevel.Fastest }, CancellationToken.None)).FromCache);
    }

    [Fact]
    public async Task A_gzip_layer_is_never_reused_for_zstd_nor_a_zstd_one_for_gzip()
    {
        var cache = new LayerCache(new ContentStore(_store.Path));
        var zstdOptions = Options with { Compression = LayerCompression.Zstd };

        var gzip = await cache.GetOrWriteAsync(Entries, Options, CancellationToken.None);
        var zstd = await cache.GetOrWriteAsync(Entries, zstdOptions, CancellationToken.None);

        Assert.False(zstd.FromCache);
        Assert.NotEqual(gzip.Key, zstd.Key);
        Assert.Equal(MediaTypes.OciLayerGzip, gzip.Layer.Descriptor.MediaType);
        Assert.Equal(MediaTypes.OciLayerZstd, zstd.Layer.Descriptor.MediaType);
        Assert.Equal(gzip.Layer.DiffId, zstd.Layer.DiffId);
        // Each is found again under its own key, and gives its own bytes.
        var gzipAgain = await cache.GetOrWriteAsync(Entries, Options, CancellationToken.None);
        var zstdAgain = await cache.GetOrWriteAsync(Entries, zstdOptions, CancellationToken.None);
        Assert.True(gzipAgain.FromCache && zstdAgain.FromCache);
        Assert.Equal(gzip.Layer, gzipAgain.Layer);
        Assert.Equal(zstd.Layer, zstdAgain.Layer);
        Assert.Equal(2, BlobCount);
    }

    [Fact]
    public async Task A_record_whose_blob_is_gone_is_a_miss_and_is_repaired()
    {
        var cache = new LayerCache(new ContentStore(_store.Path));
        var first = await cache.GetOrWriteAsync(Entries, Options, CancellationToken.None);
        File.Delete(first.Layer.BlobPath!);

        var second = await cache.GetOrWriteAsync(Entries, Options, CancellationToken.None);
        Assert.False(second.FromCache);
        Assert.True(File.Exists(second.Layer.BlobPath));
        Assert.True((await cache.GetOrWriteAsync(Entries, Options, CancellationToken.None)).FromCache);
    }

    [Fact]
    public async Task Builds_sharing_a_store_in_parallel_stay_consistent()
    {
        // Several "projects" (separate caches over one store) writing the same and different layers at once.
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var cache = new LayerCache(new ContentStore(_store.Path));
            var options = Options with { UserId = i % 2 };
            return (i % 2, (await cache.GetOrWriteAsync(Entries, options, CancellationToken.None)).Layer);
        })));

        foreach (var group in results.GroupBy(r => r.Item1))
        {
            Assert.Single(group.Select(r => r.Layer.Descriptor.Digest).Distinct());
        }
        Assert.Equal(2, BlobCount);
        Assert.Empty(Directory.GetFiles(_store.Path, ".tmp-*", SearchOption.AllDirectories));
        foreach (var (_, layer) in results)
        {
            Assert.Equal(layer.Descriptor.Digest, Digest.Compute(await File.ReadAllBytesAsync(layer.BlobPath!)));
        }
    }

    [Fact]
    public async Task A_cancelled_build_leaves_no_record_and_no_partial_blob()
    {
        var cache = new LayerCache(new ContentStore(_store.Path));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.GetOrWriteAsync(Entries, Options, cancelled.Token));
        Assert.Equal(0, BlobCount);
        Assert.False((await cache.GetOrWriteAsync(Entries, Options, CancellationToken.None)).FromCache);
    }
}
