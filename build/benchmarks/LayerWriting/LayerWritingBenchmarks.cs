using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using BenchmarkDotNet.Attributes;
using Containers.Build.Layers;
using Containers.Build.Model;
using SharpZipTarEntry = ICSharpCode.SharpZipLib.Tar.TarEntry;
using TarOutputStream = ICSharpCode.SharpZipLib.Tar.TarOutputStream;

namespace LayerWriting;

/// <summary>
/// One gzipped tar of a whole publish folder per operation: Containers.Build's LayerWriter (planning,
/// deterministic headers, sha256 of the tar and of the gzip, blob committed to a content store) against
/// bare tar + GZipStream(Fastest) passes that only write the file.
/// </summary>
[MemoryDiagnoser]
public class LayerWritingBenchmarks
{
    /// <summary>Set by Program before the run (the benchmarks run in-process).</summary>
    public static IReadOnlyList<PublishFolder> Folders { get; set; } = [];

    public IEnumerable<PublishFolder> FolderValues() => Folders;

    [ParamsSource(nameof(FolderValues))]
    public PublishFolder Folder { get; set; } = null!;

    private string _scratch = "";
    private ContentStore _store = null!;

    [GlobalSetup]
    public void Setup()
    {
        _scratch = Directory.CreateTempSubdirectory("layerwriting-").FullName;
        _store = new ContentStore(Path.Combine(_scratch, "store"));
    }

    [IterationCleanup]
    public void DeleteOutputs()
    {
        // Every operation starts from an empty store, so LayerWriter never finds its blob already there.
        foreach (var file in Directory.EnumerateFiles(_scratch, "*", SearchOption.AllDirectories))
        {
            File.Delete(file);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_scratch, recursive: true);

    [Benchmark(Baseline = true, Description = "bare SharpZipLib tar + GZipStream(Fastest)")]
    public long BareSharpZipLib()
    {
        var output = Path.Combine(_scratch, "bare-sharpziplib.tar.gz");
        using (var file = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarOutputStream(gzip, Encoding.UTF8))
        {
            foreach (var path in Directory.EnumerateFiles(Folder.Path, "*", SearchOption.AllDirectories))
            {
                using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                var entry = SharpZipTarEntry.CreateTarEntry("app/" + Path.GetRelativePath(Folder.Path, path));
                entry.Size = source.Length;
                tar.PutNextEntry(entry);
                source.CopyTo(tar, 1 << 16);
                tar.CloseEntry();
            }
        }
        return new FileInfo(output).Length;
    }

    [Benchmark(Description = "bare System.Formats.Tar + GZipStream(Fastest)")]
    public long BareSystemFormatsTar()
    {
        var output = Path.Combine(_scratch, "bare-formats-tar.tar.gz");
        using (var file = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var path in Directory.EnumerateFiles(Folder.Path, "*", SearchOption.AllDirectories))
            {
                tar.WriteEntry(path, "app/" + Path.GetRelativePath(Folder.Path, path));
            }
        }
        return new FileInfo(output).Length;
    }

    [Benchmark(Description = "Containers.Build LayerWriter (plan + write + digests)")]
    public async Task<long> ContainersBuildLayerWriter()
    {
        var entries = LayerPlanner.PlanDirectory(Folder.Path, "/app");
#if LAYER_OPTIONS
        // At the bare passes' level, so the ratio is the writer's own cost (its default is Optimal since issue 18).
        var layer = await new LayerWriter(_store)
            .WriteAsync(entries, new LayerOptions(DateTimeOffset.UnixEpoch) { CompressionLevel = CompressionLevel.Fastest }, CancellationToken.None)
            .ConfigureAwait(false);
#else
        var layer = await new LayerWriter(_store)
            .WriteAsync(entries, MediaTypes.OciLayerGzip, DateTimeOffset.UnixEpoch, CancellationToken.None)
            .ConfigureAwait(false);
#endif
        return layer.Descriptor.Size;
    }
}
