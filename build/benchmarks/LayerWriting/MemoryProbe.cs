namespace LayerWriting;

/// <summary>
/// Peak memory of one operation, which BenchmarkDotNet does not report (its "Allocated" is the total
/// allocated, garbage included): the GC heap and the process's resident set, sampled every few
/// milliseconds while the operation runs, minus what they were before it.
/// </summary>
public static class MemoryProbe
{
    public sealed record Peak(long HeapBytes, long WorkingSetBytes);

    public static Peak Measure(Func<Task> operation)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var workingSetBefore = Environment.WorkingSet;
        long heapPeak = heapBefore;
        long workingSetPeak = workingSetBefore;
        void Sample()
        {
            heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(forceFullCollection: false));
            workingSetPeak = Math.Max(workingSetPeak, Environment.WorkingSet);
        }

        using var done = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            while (!done.Wait(5))
            {
                Sample();
            }
        }) { IsBackground = true, Name = "memory sampler" };
        sampler.Start();
        try
        {
            operation().GetAwaiter().GetResult();
        }
        finally
        {
            Sample();
            done.Set();
            sampler.Join();
        }
        return new Peak(heapPeak - heapBefore, workingSetPeak - workingSetBefore);
    }

    /// <summary>Runs each benchmark method once per folder outside BenchmarkDotNet and returns its peaks.</summary>
    public static Dictionary<(string Folder, string Method), Peak> MeasureAll()
    {
        var peaks = new Dictionary<(string, string), Peak>();
        foreach (var folder in LayerWritingBenchmarks.Folders)
        {
            var benchmarks = new LayerWritingBenchmarks { Folder = folder };
            benchmarks.Setup();
            try
            {
                var operations = new (string Method, Func<Task> Run)[]
                {
                    (nameof(LayerWritingBenchmarks.BareSharpZipLib), () => Task.FromResult(benchmarks.BareSharpZipLib())),
                    (nameof(LayerWritingBenchmarks.BareSystemFormatsTar), () => Task.FromResult(benchmarks.BareSystemFormatsTar())),
                    (nameof(LayerWritingBenchmarks.ContainersBuildLayerWriter), benchmarks.ContainersBuildLayerWriter),
                };
                foreach (var (method, run) in operations)
                {
                    // Once to warm up (JIT, file system cache), then measured.
                    run().GetAwaiter().GetResult();
                    benchmarks.DeleteOutputs();
                    peaks[(folder.Name, method)] = Measure(run);
                    benchmarks.DeleteOutputs();
                }
            }
            finally
            {
                benchmarks.Cleanup();
            }
        }
        return peaks;
    }
}
