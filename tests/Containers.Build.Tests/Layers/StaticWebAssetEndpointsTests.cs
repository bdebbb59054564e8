using Containers.Build.Layers;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Layers;

public class StaticWebAssetEndpointsTests : IDisposable
{
    private readonly TempDirectory _publish = new("cb-swa");

    public StaticWebAssetEndpointsTests() => _publish.WriteFile("App.dll", "app");

    public void Dispose() => _publish.Dispose();

    [Fact]
    public void Static_web_asset_endpoints_get_the_images_time_instead_of_the_files_times()
    {
        var manifest = """{"Version":1,"ManifestType":"Publish","Endpoints":[{"Route":"css/site+x.css","AssetFile":"css/site+x.css","Selectors":[],"ResponseHeaders":[{"Name":"Accept-Ranges","Value":"bytes"},{"Name":"Last-Modified","Value":"Mon, 23 Nov 2026 15:50:21 GMT"},{"Name":"ETag","Value":"\"abc=\""}],"EndpointProperties":[]}]}"""u8.ToArray();
        var time = DateTimeOffset.FromUnixTimeSeconds(1714564800);
        var rewritten = System.Text.Encoding.UTF8.GetString(StaticWebAssetEndpoints.Rewrite(manifest, time)!);
        Assert.Contains("""{"Name":"Last-Modified","Value":"Wed, 01 May 2024 12:00:00 GMT"}""", rewritten, StringComparison.Ordinal);
        Assert.Contains("""{"Name":"ETag","Value":"\"abc=\""}""", rewritten, StringComparison.Ordinal);
        Assert.Contains("css/site+x.css", rewritten, StringComparison.Ordinal);
        Assert.Null(StaticWebAssetEndpoints.Rewrite("""{"Endpoints":[]}"""u8.ToArray(), time));
        Assert.Null(StaticWebAssetEndpoints.Rewrite("not json"u8.ToArray(), time));

        // In a plan, the entry carries the new values over the file and nothing is written; the publish folder keeps its file.
        var path = _publish.WriteFile("App.staticwebassets.endpoints.json", System.Text.Encoding.UTF8.GetString(manifest));
        var original = LayerPlanner.Plan(_publish.Path, "/app", FileClassification.Empty, LayeringMode.ByChangeFrequency);
        var filesBefore = Directory.GetFiles(_publish.Path, "*", SearchOption.AllDirectories).Length;
        var plan = StaticWebAssetEndpoints.WithFixedTimes(original, time);
        var entry = plan.SelectMany(l => l.Entries).Single(e => e.ContainerPath == "app/App.staticwebassets.endpoints.json");
        Assert.Null(entry.Content);
        Assert.NotNull(entry.Overlay);
        using (var reader = new StreamReader(entry.OpenContent()))
        {
            Assert.Equal(rewritten, reader.ReadToEnd());
        }
        Assert.Equal(System.Text.Encoding.UTF8.GetString(manifest), File.ReadAllText(path));
        Assert.Equal(filesBefore, Directory.GetFiles(_publish.Path, "*", SearchOption.AllDirectories).Length);
        // Everything else is planned exactly as before: App.dll still comes from the publish folder.
        Assert.Equal(_publish.Combine("App.dll"), plan.SelectMany(l => l.Entries).Single(e => e.ContainerPath == "app/App.dll").SourcePath);
        Assert.Equal(Others(original), Others(plan));

        IEnumerable<LayerEntry> Others(IReadOnlyList<PlannedLayer> layers) => layers.SelectMany(l => l.Entries).Where(e => e.ContainerPath != entry.ContainerPath);
    }

    [Fact]
    public void A_manifest_of_many_megabytes_is_read_as_a_stream_and_overlaid_as_a_whole_rewrite_would_write_it()
    {
        // 40,000 endpoints (about 9 MB, so many buffers), and one route longer than a buffer.
        var endpoints = Enumerable.Range(0, 40_000).Select(i =>
            $$"""{"Route":"{{(i == 777 ? new string('r', 3 << 20) : $"d/f{i}.txt")}}","AssetFile":"d/f{{i}}.txt","Selectors":[],"ResponseHeaders":[{"Name":"Content-Length","Value":"{{i}}"},{"Name":"{{(i % 2 == 0 ? "Last-Modified" : "last-modified")}}","Value":"Tue, 01 Dec 2026 01:01:{{i % 60:00}} GMT"},{"Name":"ETag","Value":"\"e{{i}}=\""}],"EndpointProperties":[{"Name":"label","Value":"Last-Modified"}]}""");
        var manifest = System.Text.Encoding.UTF8.GetBytes($$"""{"Version":1,"ManifestType":"Publish","Endpoints":[{{string.Join(',', endpoints)}}]}""");
        var path = _publish.WriteFile("App.staticwebassets.endpoints.json", "");
        File.WriteAllBytes(path, manifest);
        var time = DateTimeOffset.FromUnixTimeSeconds(1714564800);

        var entry = StaticWebAssetEndpoints.WithFixedTimes(LayerPlanner.Plan(_publish.Path, "/app", FileClassification.Empty, LayeringMode.ByChangeFrequency), time)
            .SelectMany(l => l.Entries).Single(e => e.ContainerPath == "app/App.staticwebassets.endpoints.json");

        Assert.Equal(40_000, entry.Overlay!.Offsets.Count);
        using var content = entry.OpenContent();
        using var copy = new MemoryStream();
        content.CopyTo(copy);
        Assert.Equal(StaticWebAssetEndpoints.Rewrite((byte[])manifest.Clone(), time), copy.ToArray());
        // Read from anywhere, in any size: a replacement cut by a read's edge is still whole.
        var expected = copy.ToArray();
        var odd = new byte[7];
        content.Position = entry.Overlay.Offsets[123] - 3;
        content.ReadExactly(odd);
        Assert.Equal(expected.AsSpan((int)entry.Overlay.Offsets[123] - 3, 7).ToArray(), odd);
    }

    [Fact]
    public void A_value_that_cannot_be_overwritten_where_it_is_makes_the_whole_manifest_rewritten()
    {
        // "T" escaped: the value is 34 bytes in the file for 29 characters.
        var manifest = """{"Endpoints":[{"Route":"a","ResponseHeaders":[{"Name":"Last-Modified","Value":"Mon, 23 Nov 2026 15:50:21 GM\u0054"}]}]}""";
        _publish.WriteFile("App.staticwebassets.endpoints.json", manifest);
        var time = DateTimeOffset.FromUnixTimeSeconds(1714564800);

        var entry = StaticWebAssetEndpoints.WithFixedTimes(LayerPlanner.Plan(_publish.Path, "/app", FileClassification.Empty, LayeringMode.ByChangeFrequency), time)
            .SelectMany(l => l.Entries).Single(e => e.ContainerPath == "app/App.staticwebassets.endpoints.json");

        Assert.Null(entry.Overlay);
        Assert.Contains("Wed, 01 May 2024 12:00:00 GMT", System.Text.Encoding.UTF8.GetString(entry.Content!), StringComparison.Ordinal);
    }
}
