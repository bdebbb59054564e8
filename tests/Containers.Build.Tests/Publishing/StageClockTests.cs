using Containers.Build.Publishing;

namespace Containers.Build.Tests.Publishing;

public class StageClockTests
{
    [Fact]
    public void Each_stage_is_the_time_since_the_one_before_in_the_order_marked()
    {
        var clock = new StageClock();
        Thread.Sleep(30);
        clock.Mark("first");
        clock.Mark("second");

        var line = clock.ToString();
        var match = System.Text.RegularExpressions.Regex.Match(line, @"^Image step (\d+) ms, (\d+\.\d) MB allocated: first (\d+) ms, second (\d+) ms$");
        Assert.True(match.Success, line);
        var (total, first, second) = (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[3].Value), int.Parse(match.Groups[4].Value));
        Assert.InRange(first, 30, total);
        Assert.InRange(second, 0, first);
    }

    [Fact]
    public void The_line_says_what_the_process_allocated_since_the_clock_started()
    {
        var clock = new StageClock();
        var kept = new byte[3_000_000];
        clock.Mark("allocating");

        var line = clock.ToString();
        var match = System.Text.RegularExpressions.Regex.Match(line, @", (\d+\.\d) MB allocated:");
        Assert.True(match.Success, line);
        // 3 MB here, and whatever other tests running alongside allocate meanwhile.
        Assert.True(double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 3.0, line);
        GC.KeepAlive(kept);
    }
}
