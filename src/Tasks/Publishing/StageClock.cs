using System.Diagnostics;

namespace Containers.Build.Publishing;

/// <summary>
/// Where a publish's time went, stage by stage, for one low-importance line at the end (<c>-v:d</c>): what a user
/// needs to see before asking why an image step is slow, and what a benchmark needs to tell apart.
/// </summary>
public sealed class StageClock
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly List<(string Stage, TimeSpan Took)> _stages = [];
    private TimeSpan _last;

    /// <summary>Ends the stage that ran since the previous mark (or the start), under this name.</summary>
    public void Mark(string stage)
    {
        var now = _watch.Elapsed;
        _stages.Add((stage, now - _last));
        _last = now;
    }

    /// <summary>"Image step 812 ms: layers planned 14 ms, layers written 503 ms, ...".</summary>
    public override string ToString()
        => $"Image step {Milliseconds(_watch.Elapsed)}: " + string.Join(", ", _stages.Select(s => $"{s.Stage} {Milliseconds(s.Took)}"));

    private static string Milliseconds(TimeSpan span) => $"{span.TotalMilliseconds:F0} ms";
}
