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

        // In a plan, the entry carries the rewritten content and nothing is written; the publish folder keeps its file.
        var path = _publish.WriteFile("App.staticwebassets.endpoints.json", System.Text.Encoding.UTF8.GetString(manifest));
        var original = LayerPlanner.Plan(_publish.Path, "/app", FileClassification.Empty, LayeringMode.ByChangeFrequency);
        var filesBefore = Directory.GetFiles(_publish.Path, "*", SearchOption.AllDirectories).Length;
        var plan = StaticWebAssetEndpoints.WithFixedTimes(original, time);
        var entry = plan.SelectMany(l => l.Entries).Single(e => e.ContainerPath == "app/App.staticwebassets.endpoints.json");
        Assert.Equal(rewritten, System.Text.Encoding.UTF8.GetString(entry.Content!));
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
}
