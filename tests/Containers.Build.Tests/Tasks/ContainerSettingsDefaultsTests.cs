using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Tasks;

/// <summary>
/// The defaults of what a project leaves empty, as the SDK's ComputeContainerConfig gives them; the check at the start of the
/// build and the targets before the publish both compute them here. (The targets' tests see them through MSBuild.)
/// </summary>
public class ContainerSettingsDefaultsTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 17, 5, 9, DateTimeKind.Utc);

    private static ContainerSettingsDefaults.Result Compute(SettingItems settings, bool hasAppCommand = false)
        => ContainerSettingsDefaults.Compute(new SettingValues(settings.ToItems()), hasAppCommand, Now);

    private static BaseImageInference.Inputs BaseImageInputs(SettingItems settings)
        => ContainerSettingsDefaults.BaseImageInputs(new SettingValues(settings.ToItems()), []);

    [Fact]
    public void The_base_image_is_inferred_from_the_projects_framework_platforms_and_publish_switches()
    {
        var inputs = BaseImageInputs(Project()
            .Set("SdkVersion", "10.0.401").Set("TargetFrameworkVersion", "v10.0")
            .Set("PublishAot", "true").Set("PublishTrimmed", "TRUE").Set("InvariantGlobalization", "false").Set("ContainerFamily", "alpine"));
        Assert.Equal(".NETCoreApp", inputs.TargetFrameworkIdentifier);
        Assert.Equal("v10.0", inputs.TargetFrameworkVersion);
        Assert.True(inputs.IsAotPublished);
        Assert.True(inputs.IsTrimmed);
        Assert.False(inputs.UsesInvariantGlobalization);
        Assert.Equal("alpine", inputs.ContainerFamily);
    }

    private static SettingItems Project() => new SettingItems()
        .Set("ProjectDirectory", "/src/app")
        .Set("IntermediateOutputPath", "obj/Release/net10.0/")
        .Set("BaseIntermediateOutputPath", "obj/")
        .Set("OutputPath", "bin/Release/net10.0/")
        .Set("SdkRuntimeIdentifier", "linux-arm64")
        .Set("AssemblyName", "App")
        .Set("TargetFileName", "App.dll")
        .Set("Home", "/home/ci")
        .Set("OS", "Unix");

    [Fact]
    public void An_untouched_project_gets_the_sdks_defaults()
    {
        var result = Compute(Project());

        Assert.Equal("/app/", result.WorkingDirectory);
        Assert.Equal("linux-arm64", result.RuntimeIdentifier);
        Assert.Equal(["linux-arm64"], BaseImageInputs(Project()).RuntimeIdentifiers);
        Assert.Equal(["dotnet", "/app/App.dll"], result.DefaultAppCommand);
        Assert.Equal("/src/app/obj/Release/net10.0/container-image.json", result.ImageFactsPath);
        Assert.Equal("/src/app/obj/containers/", result.ContentStoreDirectory);
        Assert.Equal("/src/app/bin/Release/net10.0/", result.OutputDirectory);
        Assert.Equal("/home/ci/.cache/containers-build", result.SharedCacheDirectory);
        Assert.Equal("", result.Registry);
        Assert.Equal("", result.ImageTag);
        Assert.False(BaseImageInputs(Project()).IsSelfContained);
        Assert.False(result.PortableIL);
    }

    [Fact]
    public void What_the_project_sets_is_kept()
    {
        var result = Compute(Project()
            .Set("WorkingDirectory", "/srv")
            .Set("RuntimeIdentifier", "linux-musl-x64")
            .Set("ProjectRuntimeIdentifier", "linux-x64")
            .Set("ImageFactsPath", "/tmp/facts.json")
            .Set("ContentStoreDirectory", "/cache/store/")
            .Set("SharedCacheDirectory", "false")
            .Set("Registry", "127.0.0.1:5000")
            .Set("ImageTag", "1.2.3"));

        Assert.Equal("/srv", result.WorkingDirectory);
        Assert.Equal(["dotnet", "/srv/App.dll"], result.DefaultAppCommand);
        Assert.Equal("linux-musl-x64", result.RuntimeIdentifier);
        Assert.Equal("/tmp/facts.json", result.ImageFactsPath);
        Assert.Equal("/cache/store/", result.ContentStoreDirectory);
        Assert.Equal("false", result.SharedCacheDirectory);
        Assert.Equal("127.0.0.1:5000", result.Registry);
        Assert.Equal("1.2.3", result.ImageTag);
    }

    [Theory]
    [InlineData("https://registry.contoso.example/", "registry.contoso.example")]
    [InlineData("  HTTPS://registry.contoso.example:5443//  ", "registry.contoso.example:5443")]
    [InlineData("registry.contoso.example", "registry.contoso.example")]
    public void A_publish_profiles_RegistryUrl_names_the_registry(string url, string registry)
        => Assert.Equal(registry, Compute(Project().Set("Registry", "ignored.example").Set("RegistryUrl", url)).Registry);

    [Fact]
    public void A_publish_profiles_tag_wins_and_AutoGenerateImageTag_makes_one_of_the_time_unless_tags_are_listed()
    {
        Assert.Equal("v7", Compute(Project().Set("ImageTag", "old").Set("PublishImageTag", "v7")).ImageTag);
        Assert.Equal("20261201170509", Compute(Project().Set("PublishImageTag", "v7").Set("AutoGenerateImageTag", "True")).ImageTag);
        Assert.Equal("", Compute(Project().Set("AutoGenerateImageTag", "true").Set("ImageTags", "1.0;latest")).ImageTag);
    }

    [Fact]
    public void The_projects_runtime_identifier_comes_before_the_sdks()
        => Assert.Equal("linux-x64", Compute(Project().Set("ProjectRuntimeIdentifier", "linux-x64")).RuntimeIdentifier);

    [Fact]
    public void A_self_contained_app_runs_its_native_host()
    {
        var project = Project().Set("PublishSelfContained", "true").Set("NativeExecutableExtension", "");
        Assert.True(BaseImageInputs(project).IsSelfContained);
        Assert.Equal(["/app/App"], Compute(project).DefaultAppCommand);
    }

    [Fact]
    public void No_default_app_command_when_the_project_gives_one_or_asks_for_none()
    {
        Assert.Empty(Compute(Project(), hasAppCommand: true).DefaultAppCommand);
        Assert.Empty(Compute(Project().Set("AppCommandInstruction", "none")).DefaultAppCommand);
    }

    [Fact]
    public void Several_platforms_leave_the_runtime_identifier_to_each_and_share_the_il_when_framework_dependent()
    {
        var result = Compute(Project().Set("RuntimeIdentifiers", "linux-x64; linux-arm64"));
        Assert.Equal("", result.RuntimeIdentifier);
        Assert.Equal(["linux-x64", "linux-arm64"], BaseImageInputs(Project().Set("RuntimeIdentifiers", "linux-x64; linux-arm64")).RuntimeIdentifiers);
        Assert.True(result.PortableIL);
        Assert.False(Compute(Project().Set("RuntimeIdentifiers", "linux-x64;linux-arm64").Set("SelfContained", "true")).PortableIL);
    }

    [Fact]
    public void The_machine_cache_follows_xdg_then_the_platforms_folder()
    {
        Assert.Equal("/xdg/containers-build", Compute(Project().Set("XdgCacheHome", "/xdg")).SharedCacheDirectory);
        Assert.Equal(Path.Combine("C:/Users/ci/AppData/Local", "containers-build"),
            Compute(Project().Set("OS", "Windows_NT").Set("LocalAppData", "C:/Users/ci/AppData/Local")).SharedCacheDirectory);
        Assert.Equal("", Compute(Project().Set("Home", "")).SharedCacheDirectory);
    }

    [Fact]
    public void A_name_listed_twice_takes_its_first_value_that_is_not_empty()
    {
        var values = new SettingValues(
        [
            new Microsoft.Build.Utilities.TaskItem("SourceRepositoryUrl", new Dictionary<string, string> { ["Value"] = "" }),
            new Microsoft.Build.Utilities.TaskItem("SourceRepositoryUrl", new Dictionary<string, string> { ["Value"] = "https://example.com/public" }),
            new Microsoft.Build.Utilities.TaskItem("SourceRepositoryUrl", new Dictionary<string, string> { ["Value"] = "https://example.com/other" }),
        ]);
        Assert.Equal("https://example.com/public", values["SourceRepositoryUrl"]);
    }
}
