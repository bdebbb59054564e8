using System.Diagnostics;

namespace Containers.Build.Publishing;

/// <summary>
/// Where a publish's time went, stage by stage, and how much the process allocated meanwhile, for one low-importance line
/// at the end (<c>-v:d</c>): what a user needs to see before asking why an image step is slow or big, and what a benchmark
/// and a test need to tell apart. In MSBuild's process what a task allocates stays resident until the next collection,
/// so the allocation is the step's share of the build's peak memory.
/// </summary>
public sealed class StageClock
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly long _allocatedBefore = GC.GetTotalAllocatedBytes();
    private readonly List<(string Stage, TimeSpan Took)> _stages = [];
    private TimeSpan _last;

    /// <summary>Ends the stage that ran since the previous mark (or the start), under this name.</summary>
    public void Mark(string stage)
    {
        var now = _watch.Elapsed;
        _stages.Add((stage, now - _last));
        _last = now;
    }

    /// <summary>"Image step 812 ms, 41.2 MB allocated: layers planned 14 ms, layers written 503 ms, ...".</summary>
    public override string ToString()
        => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Image step {Milliseconds(_watch.Elapsed)}, {(GC.GetTotalAllocatedBytes() - _allocatedBefore) / 1e6:F1} MB allocated: ")
           + string.Join(", ", _stages.Select(s => $"{s.Stage} {Milliseconds(s.Took)}"));

    private static string Milliseconds(TimeSpan span) => $"{span.TotalMilliseconds:F0} ms";
}
