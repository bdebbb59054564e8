using System.Globalization;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace LayerWriting;

/// <summary>The lines build/benchmark.sh copies into docs/benchmarks.md: throughput and allocation per folder, as ratios to the bare pass.</summary>
public static class ThroughputReport
{
    private const string Ours = nameof(LayerWritingBenchmarks.ContainersBuildLayerWriter);
    private const string Bare = nameof(LayerWritingBenchmarks.BareSharpZipLib);
    private const string FormatsTar = nameof(LayerWritingBenchmarks.BareSystemFormatsTar);

    public static double? MegabytesPerSecond(Summary summary, BenchmarkCase benchmarkCase)
    {
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        var folder = benchmarkCase.Parameters["Folder"] as PublishFolder;
        return mean is > 0 && folder is not null ? folder.Megabytes / (mean.Value / 1e9) : null;
    }

    private static long? Allocated(Summary summary, BenchmarkCase benchmarkCase)
        => summary[benchmarkCase]?.GcStats.GetBytesAllocatedPerOperation(benchmarkCase);

    /// <summary>Prints a markdown table; false when a benchmark has no result.</summary>
    public static bool Print(Summary summary, IReadOnlyDictionary<(string Folder, string Method), MemoryProbe.Peak> peaks)
    {
        var ok = true;
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine("LAYERWRITING-RESULTS-BEGIN");
        Console.WriteLine("| folder | files | MB | bare tar+gzip MB/s | System.Formats.Tar MB/s | LayerWriter MB/s | LayerWriter / bare | "
            + "allocated in total: bare / LayerWriter | peak heap growth: bare / LayerWriter | peak RSS growth: bare / LayerWriter |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var folder in LayerWritingBenchmarks.Folders)
        {
            BenchmarkCase? Find(string method) => summary.BenchmarksCases.FirstOrDefault(b =>
                b.Descriptor.WorkloadMethod.Name == method && Equals(b.Parameters["Folder"], folder));
            var ours = Find(Ours);
            var bare = Find(Bare);
            var formats = Find(FormatsTar);
            double? Speed(BenchmarkCase? b) => b is null ? null : MegabytesPerSecond(summary, b);
            var oursSpeed = Speed(ours);
            var bareSpeed = Speed(bare);
            ok &= oursSpeed is not null && bareSpeed is not null;
            string Format(double? value, string format) => value is { } v ? v.ToString(format, c) : "n/a";
            string Bytes(long? value) => value is { } v ? v >= 1 << 20 ? (v / 1048576.0).ToString("F1", c) + " MiB" : (v / 1024.0).ToString("F1", c) + " KiB" : "n/a";
            MemoryProbe.Peak? Peak(string method) => peaks.TryGetValue((folder.Name, method), out var p) ? p : null;
            var barePeak = Peak(Bare);
            var oursPeak = Peak(Ours);
            Console.WriteLine($"| {folder.Name} | {folder.Files} | {folder.Megabytes.ToString("F1", c)} | {Format(bareSpeed, "F1")} | {Format(Speed(formats), "F1")} | {Format(oursSpeed, "F1")} | "
                + $"{Format(oursSpeed / bareSpeed, "F2")}x | {Bytes(bare is null ? null : Allocated(summary, bare))} / {Bytes(ours is null ? null : Allocated(summary, ours))} | "
                + $"{Bytes(barePeak?.HeapBytes)} / {Bytes(oursPeak?.HeapBytes)} | {Bytes(barePeak?.WorkingSetBytes)} / {Bytes(oursPeak?.WorkingSetBytes)} |");
        }
        Console.WriteLine("LAYERWRITING-RESULTS-END");
        return ok;
    }
}
