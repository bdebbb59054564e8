using Containers.Build.Layers;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Layers;

/// <summary>
/// What planning and writing a layer allocates for each file. In MSBuild's process every byte a task allocates stays
/// resident until the next collection of the youngest generation, whose budget the runtime sizes from the processor's
/// cache (81 MB on the machine of docs/benchmarks.md): on a folder of 50,000 files the plan and the layer had allocated
/// 74 MB, and the image step raised the build's peak memory by 41–88 MiB where the SDK's raised it by 17–55. The test runs alone (its
/// collection is not parallel), so what the process allocates meanwhile is the layer's. It runs jitted code; what the
/// package's precompiled code allocates is <c>ManySmallFilesEndToEndTests</c>'.
/// </summary>
[Collection("process environment")]
public class LayerAllocationTests
{
    private const int Files = 4000;

    [Fact]
    public async Task Planning_writing_and_keying_a_layer_of_small_files_allocates_a_few_hundred_bytes_a_file()
    {
        using var folder = new TempDirectory("cb-alloc");
        var random = new Random(3);
        for (var i = 0; i < Files; i++)
        {
            var line = $"line {i} of a small text file in a content-heavy app\n";
            folder.WriteFile($"content/d{i % 40:000}/file{i:00000}.txt", string.Concat(Enumerable.Repeat(line, random.Next(20, 80))));
        }
        using var storeDirectory = new TempDirectory("cb-alloc-store");
        var options = new LayerOptions(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

        async Task<long> PlanAndWrite()
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var entries = LayerPlanner.PlanDirectory(folder.Path, "/app");
            await new LayerWriter(new ContentStore(storeDirectory.Path)).WriteKeyedAsync(entries, options, CancellationToken.None, new SecretScan());
            return GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        // Once before measuring: first calls load types and fill static tables, which a process does once, not per layer.
        await PlanAndWrite();
        var perFile = await PlanAndWrite() / Files;

        // Measured about 311 bytes a file here (the plan keeps each file's entry and its container path; its content is
        // found from the walk's folder, opened in one reader by a path made in a reused buffer). Before the writer and the
        // planner stopped making a string, a list and a FileStream per file and a 32 KiB history array per block, 1,710;
        // before the plan kept one path string per file and asked names by span, 1,170; before it kept no full path and
        // opened no handle and stream per file, and the hash and the secret scan's reading were no objects, 695.
        Assert.True(perFile < 450, $"{perFile} bytes allocated per file");
    }
}
