using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Layers;

public class LayerSplittingTests : IDisposable
{
    private readonly TempDirectory _folder = new("cb-split");

    public LayerSplittingTests()
    {
        _folder.WriteFile("App.dll", "app");
        _folder.WriteFile("App.deps.json", "{}");
        _folder.WriteFile("Serilog.dll", "package");
        _folder.WriteFile("runtimes/linux-x64/native/libnative.so", "x64");
        _folder.WriteFile("runtimes/linux-arm64/native/libnative.so", "arm64");
        _folder.WriteFile("runtimes/win-x64/native/native.dll", "win");
        _folder.WriteFile("Lib.dll", "project");
        _folder.WriteFile("wwwroot/css/site.css", "body{}");
        _folder.WriteFile("custom.txt", "written by a custom target");
    }

    public void Dispose() => _folder.Dispose();

    private static FileClassification Classify(string rid = "linux-x64") => PublishItemClassifier.Classify(
        [
            new PublishItem("App.dll"),
            new PublishItem("Serilog.dll", NuGetPackageId: "Serilog"),
            new PublishItem("runtimes/linux-x64/native/libnative.so", NuGetPackageId: "Native", RuntimeIdentifier: "linux-x64"),
            new PublishItem("runtimes/linux-arm64/native/libnative.so", NuGetPackageId: "Native", RuntimeIdentifier: "linux-arm64"),
            new PublishItem(@"runtimes\win-x64\native\native.dll", NuGetPackageId: "Native", RuntimeIdentifier: "win-x64"),
            new PublishItem("Lib.dll", ReferenceSourceTarget: "ProjectReference"),
        ],
        ["wwwroot/css/site.css"],
        RuntimeIdentifierGraph.Portable.CompatibleWith(rid));

    [Fact]
    public void Files_are_split_by_how_often_they_change_from_their_metadata()
    {
        var layers = LayerPlanner.Plan(_folder.Path, "/app", Classify(), LayeringMode.ByChangeFrequency);

        Assert.Equal([LayerKind.Packages, LayerKind.ProjectReferences, LayerKind.StaticWebAssets, LayerKind.Application], layers.Select(l => l.Kind));
        string[] Files(LayerKind kind) => layers.Single(l => l.Kind == kind).Entries.Where(e => e.Kind == LayerEntryKind.File).Select(e => e.ContainerPath).ToArray();
        Assert.Equal(["app/Serilog.dll", "app/runtimes/linux-x64/native/libnative.so"], Files(LayerKind.Packages));
        Assert.Equal(["app/Lib.dll"], Files(LayerKind.ProjectReferences));
        Assert.Equal(["app/wwwroot/css/site.css"], Files(LayerKind.StaticWebAssets));
        // Unclassified files (deps.json, a custom target's output) belong to the app.
        Assert.Equal(["app/App.deps.json", "app/App.dll", "app/custom.txt"], Files(LayerKind.Application));
        // Every layer carries the directories its files need.
        Assert.All(layers, l => Assert.Equal("app", l.Entries[0].ContainerPath));
        Assert.Contains("NuGet package assets (2 files under /app)", layers[0].Comment("/app"), StringComparison.Ordinal);
    }

    [Fact]
    public void Assets_for_other_platforms_stay_out()
    {
        var all = LayerPlanner.Plan(_folder.Path, "/app", Classify("linux-arm64"), LayeringMode.ByChangeFrequency).SelectMany(l => l.Entries).Select(e => e.ContainerPath).ToArray();
        Assert.Contains("app/runtimes/linux-arm64/native/libnative.so", all);
        Assert.DoesNotContain("app/runtimes/linux-x64/native/libnative.so", all);
        Assert.DoesNotContain("app/runtimes/win-x64/native/native.dll", all);
    }

    [Fact]
    public void Single_layering_puts_everything_in_one_layer()
    {
        var layer = Assert.Single(LayerPlanner.Plan(_folder.Path, "/app", Classify(), LayeringMode.Single));
        Assert.Equal(LayerKind.Application, layer.Kind);
        Assert.Contains(layer.Entries, e => e.ContainerPath == "app/Serilog.dll");
        Assert.DoesNotContain(layer.Entries, e => e.ContainerPath.Contains("win-x64", StringComparison.Ordinal));
    }

    [Fact]
    public void The_sdk_rid_graph_agrees_with_the_built_in_one()
    {
        var sdkGraph = Directory.GetFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)! + "/../../../sdk", "PortableRuntimeIdentifierGraph.json", SearchOption.AllDirectories).FirstOrDefault();
        Assert.NotNull(sdkGraph);
        foreach (var rid in new[] { "linux-x64", "linux-arm64", "linux-musl-x64" })
        {
            var fromSdk = RuntimeIdentifierGraph.Load(sdkGraph).CompatibleWith(rid);
            Assert.Contains("linux", fromSdk);
            Assert.Contains("unix", fromSdk);
            Assert.Contains("any", fromSdk);
            Assert.DoesNotContain("win-x64", fromSdk);
            // Everything the SDK's graph allows, the built-in fallback allows too.
            Assert.Subset(RuntimeIdentifierGraph.Portable.CompatibleWith(rid).ToHashSet(), fromSdk.Where(r => r != "base").ToHashSet());
        }
        Assert.Contains("linux-x64", RuntimeIdentifierGraph.Load(sdkGraph).CompatibleWith("linux-musl-x64"));
        Assert.DoesNotContain("linux-arm64", RuntimeIdentifierGraph.Load(sdkGraph).CompatibleWith("linux-x64"));
    }
}
