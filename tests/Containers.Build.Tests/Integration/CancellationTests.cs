using System.Diagnostics;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>Ctrl+C during a push: the task stops within 2 seconds, reports it, and leaves no partial file.</summary>
public class CancellationTests
{
    [IntegrationFact]
    public async Task Cancelling_a_push_that_hangs_stops_within_two_seconds_and_leaves_nothing_half_written()
    {
        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        proxy.Faults = (request, _) => request.Method == "POST" ? new Fault.Hang(TimeSpan.FromMinutes(2)) : null;
        using var publish = new TempDirectory("cb-cancel-publish");
        publish.WriteFile("App.dll", new string('x', 100_000));
        using var store = new TempDirectory("cb-cancel-store");
        var archive = Path.Combine(store.Path, "out", "image.tar");
        var engine = new FakeBuildEngine();
        var task = new PublishContainerImage
        {
            BuildEngine = engine,
            PublishDirectory = publish.Path,
            ContentStoreDirectory = store.Path,
            AssemblyName = "App",
            BaseImage = $"{proxy.Address}/dotnet/runtime-deps:10.0",
            Registry = proxy.Address,
            Repository = TestEnvironment.UniqueRepository("cancel"),
            ArchiveOutputPath = archive,
        };

        var execution = Task.Run(task.Execute);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!proxy.Seen.Any(r => r.Method == "POST") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Contains(proxy.Seen, r => r.Method == "POST");

        var stopwatch = Stopwatch.StartNew();
        task.Cancel();
        var result = await execution.WaitAsync(TimeSpan.FromSeconds(10));
        stopwatch.Stop();

        Assert.False(result);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"Stopping took {stopwatch.Elapsed}.");
        Assert.Contains(engine.Errors, e => e.Code == DiagnosticCodes.Cancelled);
        Assert.Empty(Directory.GetFiles(store.Path, "*.tmp*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(store.Path, ".tmp-*", SearchOption.AllDirectories));
        Assert.False(File.Exists(archive));
    }
}
