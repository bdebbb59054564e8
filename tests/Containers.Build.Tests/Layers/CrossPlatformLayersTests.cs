using Containers.Build.Layers;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Layers;

public class CrossPlatformLayersTests : IDisposable
{
    private readonly TempDirectory _x64 = new("cb-x64");
    private readonly TempDirectory _arm64 = new("cb-arm64");

    public CrossPlatformLayersTests()
    {
        foreach (var folder in new[] { _x64, _arm64 })
        {
            folder.WriteFile("App.dll", "the same IL");
            folder.WriteFile("appsettings.json", "{}");
            folder.WriteFile("Serilog.dll", "package IL");
            folder.WriteFile("wwwroot/site.css", "body{}");
        }
        _x64.WriteFile("App", "x64 host");
        _arm64.WriteFile("App", "arm64 host!");
        _x64.WriteFile("App.deps.json", "linux-x64");
        _arm64.WriteFile("App.deps.json", "linux-a64");
        _x64.WriteFile("libSkia.so", "x64 only");
    }

    public void Dispose()
    {
        _x64.Dispose();
        _arm64.Dispose();
    }

    private static IReadOnlyList<PlannedLayer> Plan(TempDirectory folder) => LayerPlanner.Plan(folder.Path, "/app",
        PublishItemClassifier.Classify([new PublishItem("Serilog.dll", NuGetPackageId: "Serilog"), new PublishItem("libSkia.so", NuGetPackageId: "Skia")], ["wwwroot/site.css"]),
        LayeringMode.ByChangeFrequency);

    private static string[] Files(PlannedLayer layer) => layer.Entries.Where(e => e.Kind != LayerEntryKind.Directory).Select(e => e.ContainerPath).ToArray();

    [Fact]
    public void Identical_files_form_one_shared_layer_and_differing_ones_a_layer_per_platform()
    {
        var plans = CrossPlatformLayers.Share([Plan(_x64), Plan(_arm64)]);
        var x64 = plans[0];
        var arm64 = plans[1];

        // Packages: Serilog is shared; the native library only x64 has is x64's own.
        Assert.Equal([LayerKind.Packages, LayerKind.Packages, LayerKind.StaticWebAssets, LayerKind.Application, LayerKind.Application], x64.Select(l => l.Kind));
        Assert.Equal([LayerKind.Packages, LayerKind.StaticWebAssets, LayerKind.Application, LayerKind.Application], arm64.Select(l => l.Kind));
        Assert.Same(x64[0], arm64[0]);
        Assert.Equal(["app/Serilog.dll"], Files(x64[0]));
        Assert.Equal(["app/libSkia.so"], Files(x64[1]));
        Assert.True(x64[1].IsPlatformSpecific);

        Assert.Same(x64[2], arm64[1]);
        Assert.Same(x64[3], arm64[2]);
        Assert.False(x64[3].IsPlatformSpecific);
        Assert.Equal(["app/App.dll", "app/appsettings.json"], Files(x64[3]));
        // Same size, other bytes (deps.json) and other size (the host): both differ.
        Assert.Equal(["app/App", "app/App.deps.json"], Files(x64[4]));
        Assert.Equal(["app/App", "app/App.deps.json"], Files(arm64[3]));
        Assert.NotSame(x64[4], arm64[3]);
        Assert.Contains("for this platform only", arm64[3].Comment("/app"), StringComparison.Ordinal);
        // Every layer names its parent directories itself.
        Assert.Equal("app", x64[4].Entries[0].ContainerPath);
    }

    [Fact]
    public void A_single_platform_plan_is_left_as_it_is()
    {
        var plan = Plan(_x64);
        Assert.Same(plan, Assert.Single(CrossPlatformLayers.Share([plan])));
    }

    [Theory]
    [InlineData("abc", "abc", true)]
    [InlineData("abc", "abd", false)]
    [InlineData("abc", "abcd", false)]
    [InlineData("", "", true)]
    public void Files_compare_byte_for_byte(string first, string second, bool equal)
    {
        Assert.Equal(equal, FileContent.AreEqual(_x64.WriteFile("a.bin", first), _arm64.WriteFile("a.bin", second)));
    }

    [Fact]
    public void Large_files_that_differ_only_at_the_end_are_different()
    {
        var content = new string('x', 200_000);
        Assert.True(FileContent.AreEqual(_x64.WriteFile("big", content), _arm64.WriteFile("big", content)));
        Assert.False(FileContent.AreEqual(_x64.WriteFile("big", content + "a"), _arm64.WriteFile("big", content + "b")));
    }

    [Fact]
    public void A_kind_only_some_platforms_have_is_theirs_and_empty_publish_folders_share_the_app_directory()
    {
        using var x64 = new TempDirectory("cb-x64-only");
        using var arm64 = new TempDirectory("cb-arm64-only");
        x64.WriteFile("libnative.so", "x64");
        arm64.WriteFile("App.dll", "app");
        var classification = PublishItemClassifier.Classify([new PublishItem("libnative.so", NuGetPackageId: "Native")], []);
        var plans = CrossPlatformLayers.Share([
            LayerPlanner.Plan(x64.Path, "/app", classification, LayeringMode.ByChangeFrequency),
            LayerPlanner.Plan(arm64.Path, "/app", classification, LayeringMode.ByChangeFrequency)]);
        Assert.Equal([LayerKind.Packages], plans[0].Select(l => l.Kind));
        Assert.True(plans[0][0].IsPlatformSpecific);
        Assert.Equal([LayerKind.Application], plans[1].Select(l => l.Kind));
        Assert.True(plans[1][0].IsPlatformSpecific);

        using var empty1 = new TempDirectory("cb-empty1");
        using var empty2 = new TempDirectory("cb-empty2");
        var emptyPlans = CrossPlatformLayers.Share([
            LayerPlanner.Plan(empty1.Path, "/app", FileClassification.Empty, LayeringMode.ByChangeFrequency),
            LayerPlanner.Plan(empty2.Path, "/app", FileClassification.Empty, LayeringMode.ByChangeFrequency)]);
        Assert.Same(Assert.Single(emptyPlans[0]), Assert.Single(emptyPlans[1]));
        Assert.Equal("app", Assert.Single(emptyPlans[0][0].Entries).ContainerPath);
    }

    [Fact]
    public void Empty_directories_are_shared_or_kept_per_platform()
    {
        using var x64 = new TempDirectory("cb-x64-dirs");
        using var arm64 = new TempDirectory("cb-arm64-dirs");
        foreach (var folder in new[] { x64, arm64 })
        {
            folder.WriteFile("App.dll", "app");
            Directory.CreateDirectory(folder.Combine("logs"));
        }
        Directory.CreateDirectory(x64.Combine("x64-only"));
        var plans = CrossPlatformLayers.Share([
            LayerPlanner.Plan(x64.Path, "/app", FileClassification.Empty, LayeringMode.ByChangeFrequency),
            LayerPlanner.Plan(arm64.Path, "/app", FileClassification.Empty, LayeringMode.ByChangeFrequency)]);

        var shared = plans[0].Single(l => !l.IsPlatformSpecific);
        Assert.Same(shared, plans[1].Single(l => !l.IsPlatformSpecific));
        Assert.Contains(shared.Entries, e => e.ContainerPath == "app/logs" && e.Kind == LayerEntryKind.Directory);
        Assert.Contains(plans[0].Single(l => l.IsPlatformSpecific).Entries, e => e.ContainerPath == "app/x64-only");
        Assert.DoesNotContain(plans[1], l => l.IsPlatformSpecific);
    }
}
