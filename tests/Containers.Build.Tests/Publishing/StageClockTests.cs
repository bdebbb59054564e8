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
        var match = System.Text.RegularExpressions.Regex.Match(line, @"^Image step (\d+) ms: first (\d+) ms, second (\d+) ms$");
        Assert.True(match.Success, line);
        var (total, first, second) = (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value), int.Parse(match.Groups[3].Value));
        Assert.InRange(first, 30, total);
        Assert.InRange(second, 0, first);
    }
}
