using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using Containers.Build.Layers;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Layers;

/// <summary>
/// Writing a layer puts nothing on the large object heap. In MSBuild's process, whose heap holds the whole build, each
/// time the large object heap's small budget was spent the runtime stopped for a blocking collection of every
/// generation (75–160 ms, up to three per publish): a quarter of a fresh runner's image step. The runtime reports large
/// allocations as allocation ticks; the test runs alone (the collection is not parallel), so every tick is ours.
/// </summary>
[Collection("process environment")]
public class LargeObjectHeapTests
{
    private const int StartMarkerBytes = 300_000;
    private const int EndMarkerBytes = 400_000;

    [Fact]
    public async Task Writing_and_keying_layers_of_several_megabytes_allocates_no_large_object()
    {
        using var folder = new TempDirectory("cb-loh");
        var random = new Random(7);
        var noise = new byte[6 * 1024 * 1024];
        random.NextBytes(noise);
        File.WriteAllBytes(folder.Combine("noise.bin"), noise);
        File.WriteAllText(folder.Combine("text.txt"), string.Concat(Enumerable.Repeat("the same line of text, again and again\n", 150_000)));
        for (var i = 0; i < 40; i++)
        {
            folder.WriteFile($"small/{i}.json", $"{{\"n\": {i}}}");
        }
        using var storeDirectory = new TempDirectory("cb-loh-store");
        var store = new ContentStore(storeDirectory.Path);
        var entries = LayerPlanner.PlanDirectory(folder.Path, "/app");
        var options = new LayerOptions(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

        async Task WriteEveryWay()
        {
            await new LayerWriter(store).WriteAsync(entries, options, CancellationToken.None);
            await new LayerWriter(store).WriteKeyedAsync(entries, options, CancellationToken.None);
            await LayerInputKey.ComputeAsync(entries, options, CancellationToken.None);
        }

        // Once before listening: first calls load types and fill static tables, which a process does once, not per layer.
        await WriteEveryWay();

        using var listener = new LargeAllocationListener();
        listener.AllocateAndAwait(StartMarkerBytes);
        listener.Large.Clear();
        await WriteEveryWay();
        listener.AllocateAndAwait(EndMarkerBytes);

        Assert.Empty(listener.Large.Where(a => !LargeAllocationListener.IsMarker(a, EndMarkerBytes)).Select(a => $"{a.Type} of {a.Bytes} bytes"));
    }

    /// <summary>The runtime's allocation ticks for the large object heap, delivered by the runtime's event source.</summary>
    private sealed class LargeAllocationListener : EventListener
    {
        // The runtime's GC keyword and the tick's AllocationKind for the large object heap.
        private const EventKeywords GcKeyword = (EventKeywords)0x1;
        private const uint LargeObjectHeap = 1;

        public ConcurrentQueue<(string Type, long Bytes)> Large { get; } = new();

        /// <summary>
        /// Allocates an array of <paramref name="bytes"/> and waits until its tick arrives: the runtime's events come a
        /// little late, on a thread of their own, and every tick before this one has arrived when it does.
        /// </summary>
        public void AllocateAndAwait(int bytes)
        {
            var marker = new byte[bytes];
            GC.KeepAlive(marker);
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!Large.Any(a => IsMarker(a, bytes)))
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"The runtime reported no allocation tick for the marker array; it reported {string.Join(", ", Large.Select(a => $"{a.Type} {a.Bytes}"))}.");
                Thread.Sleep(20);
            }
        }

        /// <summary>Whether a tick is the marker's: the size the runtime gives counts the array's header and padding too.</summary>
        public static bool IsMarker((string Type, long Bytes) allocation, int bytes)
            => allocation.Type == "System.Byte[]" && allocation.Bytes >= bytes && allocation.Bytes < bytes + 128;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.Payload is not { } payload || e.PayloadNames is not { } names)
            {
                return;
            }
            if (Convert.ToUInt32(payload[names.IndexOf("AllocationKind")]) != LargeObjectHeap)
            {
                return;
            }
            var type = names.IndexOf("TypeName") is var t and >= 0 ? payload[t]?.ToString() ?? "" : "";
            var size = names.IndexOf("ObjectSize") is var s and >= 0 ? Convert.ToInt64(payload[s]) : 0;
            Large.Enqueue((type, size));
        }
    }
}
