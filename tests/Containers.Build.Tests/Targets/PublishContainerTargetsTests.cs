using Containers.Build.Tests.Support;
using Microsoft.Build.Execution;

namespace Containers.Build.Tests.Targets;

/// <summary>
/// PublishContainer taken over (the SDK's container targets left out), Visual Studio's publish-profile properties,
/// and which projects make an image, on real projects built in process by the SDK's MSBuild.
/// </summary>
[Collection(InProcessMSBuild.Name)]
public class PublishContainerTargetsTests
{
    private static (bool Success, ProjectInstance Instance, BuildLog Log) Run(string target, string properties = "", string sdk = "Microsoft.NET.Sdk.Web", Dictionary<string, string>? global = null)
    {
        using var project = TargetsProject.Create(properties, sdk: sdk);
        return project.Build(target, global);
    }

    /// <summary>The settings the tasks get, by name (the first value of a name given twice that is not empty).</summary>
    private static IReadOnlyDictionary<string, string> Settings(string properties = "", Dictionary<string, string>? global = null)
    {
        var (success, instance, log) = Run("_ContainersBuildCollectSettings", properties, global: global);
        Assert.True(success, log.ToString());
        return instance.GetItems("_ContainersBuildSettings")
            .Where(i => i.GetMetadataValue("Value") != "")
            .GroupBy(i => i.EvaluatedInclude)
            .ToDictionary(g => g.Key, g => g.First().GetMetadataValue("Value"));
    }

    [Fact]
    public void PublishContainer_and_the_sdks_public_targets_are_the_packages_and_the_sdks_container_targets_are_not_imported()
    {
        using var project = TargetsProject.Create();
        var (_, instance, _) = project.Build("_ContainersBuildDecideImage");
        foreach (var target in new[] { "PublishContainer", "ComputeContainerConfig", "ComputeContainerBaseImage" })
        {
            Assert.EndsWith("Containers.Build.PublishContainer.targets", instance.Targets[target].FullPath, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(instance.ImportPaths, path => path.EndsWith("Microsoft.NET.Build.Containers.targets", StringComparison.Ordinal));
        Assert.Contains(instance.GetItems("ProjectCapability"), c => c.EvaluatedInclude == "NetSdkOCIImageBuild");
        Assert.Contains("_ContainersBuildPublishImage", instance.GetPropertyValue("PublishContainerDependsOn"), StringComparison.Ordinal);
    }

    /// <summary>What the SDK's own ComputeContainerConfig sets for these (its ParseContainerProperties, run by hand on SDK 10.0.401).</summary>
    [Theory]
    [InlineData("ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", "")]
    [InlineData("mcr.microsoft.com/dotnet/aspnet:10.0", "mcr.microsoft.com", "dotnet/aspnet", "10.0", "")]
    [InlineData("localhost:5000/team/base@sha256:0000000000000000000000000000000000000000000000000000000000000000", "localhost:5000", "team/base", "",
        "sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("docker.io/library/alpine", "docker.io", "library/alpine", "", "")]
    // Not in a registry: nothing to say.
    [InlineData("oci:base-layout:1.0", "", "", "", "")]
    public void ComputeContainerConfig_sets_the_base_images_parts_as_the_sdk_does(string baseImage, string registry, string name, string tag, string digest)
    {
        var (success, instance, log) = Run("ComputeContainerConfig", $"<ContainerBaseImage>{baseImage}</ContainerBaseImage>");

        Assert.True(success, log.ToString());
        Assert.Equal([registry, name, tag, digest],
            new[] { "ContainerBaseRegistry", "ContainerBaseName", "ContainerBaseTag", "ContainerBaseDigest" }.Select(instance.GetPropertyValue));
    }

    [Fact]
    public void ComputeContainerConfig_sets_the_inferred_base_images_parts()
    {
        var (success, instance, log) = Run("ComputeContainerConfig");

        Assert.True(success, log.ToString());
        Assert.Equal("mcr.microsoft.com", instance.GetPropertyValue("ContainerBaseRegistry"));
        Assert.Equal("dotnet/aspnet", instance.GetPropertyValue("ContainerBaseName"));
        Assert.StartsWith("10.0", instance.GetPropertyValue("ContainerBaseTag"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_opt_out_gives_the_sdk_its_own_PublishContainer_back()
    {
        using var project = TargetsProject.Create();
        var (_, instance, _) = project.Build("_ContainersBuildDecideImage", new Dictionary<string, string> { ["ContainersBuildHandlesPublishContainer"] = "false" });
        Assert.EndsWith("Microsoft.NET.Build.Containers.targets", instance.Targets["PublishContainer"].FullPath, StringComparison.Ordinal);
        // PublishImage is still this package's.
        Assert.EndsWith("Containers.Build.targets", instance.Targets["PublishImage"].FullPath, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<RegistryUrl>registry.contoso.example</RegistryUrl>", "registry.contoso.example")]
    // Publish profiles may write the registry as a URL.
    [InlineData("<RegistryUrl>https://contoso.azurecr.io/</RegistryUrl>", "contoso.azurecr.io")]
    [InlineData("<ContainerRegistry>a.example</ContainerRegistry><RegistryUrl>b.example:5000</RegistryUrl>", "b.example:5000")]
    [InlineData("<ContainerRegistry>a.example</ContainerRegistry>", "a.example")]
    public void RegistryUrl_names_the_registry_as_the_sdk_maps_it(string properties, string registry)
        => Assert.Equal(registry, Settings(properties).GetValueOrDefault("Registry", ""));

    [Fact]
    public void PublishImageTag_names_the_tag_and_AutoGenerateImageTag_makes_one_from_the_time()
    {
        Assert.Equal("v7", Settings("<ContainerImageTag>old</ContainerImageTag><PublishImageTag>v7</PublishImageTag>").GetValueOrDefault("ImageTag", ""));
        var before = DateTime.UtcNow.AddSeconds(-1);
        var generated = Settings("<AutoGenerateImageTag>true</AutoGenerateImageTag>").GetValueOrDefault("ImageTag", "");
        var time = DateTime.ParseExact(generated, "yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.InRange(time, before.AddSeconds(-1), DateTime.UtcNow.AddSeconds(1));
        // A list of tags is left alone, as the SDK leaves it.
        var listed = Settings("<AutoGenerateImageTag>true</AutoGenerateImageTag><ContainerImageTags>1.0;latest</ContainerImageTags>");
        Assert.Equal("", listed.GetValueOrDefault("ImageTag", ""));
        Assert.Equal("1.0;latest", listed.GetValueOrDefault("ImageTags", ""));
    }

    [Fact]
    public void The_repository_prefix_is_passed_to_the_task()
        => Assert.Equal("team/", Settings("<ContainerRepositoryPrefix>team/</ContainerRepositoryPrefix>").GetValueOrDefault("RepositoryPrefix", ""));

    [Theory]
    [InlineData("Microsoft.NET.Sdk", "<OutputType>Library</OutputType>", "a library (OutputType Library)")]
    [InlineData("Microsoft.NET.Sdk", "<IsTestProject>true</IsTestProject>", "a test project (IsTestProject)")]
    [InlineData("Microsoft.NET.Sdk.Web", "<IsPublishable>false</IsPublishable>", "IsPublishable is false")]
    [InlineData("Microsoft.NET.Sdk.Web", "<EnableSdkContainerSupport>false</EnableSdkContainerSupport>", "EnableSdkContainerSupport is false")]
    public void A_project_that_makes_no_image_says_why_in_one_line_and_publishes_nothing(string sdk, string properties, string reason)
    {
        foreach (var target in new[] { "PublishImage", "PublishContainer" })
        {
            var (success, instance, log) = Run(target, properties, sdk);
            Assert.True(success, log.ToString());
            var said = Assert.Single(log.Messages, m => m.StartsWith("App: no image", StringComparison.Ordinal));
            Assert.StartsWith($"App: no image, {reason}", said, StringComparison.Ordinal);
            Assert.Empty(log.Errors);
            Assert.Empty(instance.GetItems("GeneratedContainer"));
            Assert.Equal("false", instance.GetPropertyValue("_ContainersBuildMakesImage"));
        }
    }

    [Theory]
    [InlineData("Microsoft.NET.Sdk.Web", "")]
    [InlineData("Microsoft.NET.Sdk", "")]
    [InlineData("Microsoft.NET.Sdk.Worker", "")]
    // A library that asks for an image gets one, as the SDK would make it.
    [InlineData("Microsoft.NET.Sdk", "<OutputType>Library</OutputType><EnableSdkContainerSupport>true</EnableSdkContainerSupport>")]
    public void An_app_makes_an_image(string sdk, string properties)
    {
        var (success, instance, log) = Run("_ContainersBuildDecideImage", properties, sdk);
        Assert.True(success, log.ToString());
        Assert.Equal("true", instance.GetPropertyValue("_ContainersBuildMakesImage"));
    }

    [Fact]
    public void A_multi_targeted_library_makes_no_image_and_is_not_published_by_dotnet_publish()
    {
        var libraryWithFrameworks = "<OutputType>Library</OutputType><TargetFrameworks>net10.0;net9.0</TargetFrameworks>";
        foreach (var target in new[] { "PublishImage", "PublishContainer" })
        {
            var (success, _, log) = Run(target, libraryWithFrameworks, "Microsoft.NET.Sdk");
            Assert.True(success, log.ToString());
            Assert.Contains("App: no image, a library (OutputType Library): only an app makes an image.", log.Messages);
        }
        // The SDK's Publish of a multi-targeted project fails (NETSDK1129), even for a library: in a dotnet publish, it is not publishable.
        var (_, publishing, _) = Run("_ContainersBuildCheckTargetFramework", libraryWithFrameworks, "Microsoft.NET.Sdk", new() { ["_IsPublishing"] = "true" });
        Assert.Equal("false", publishing.GetPropertyValue("IsPublishable"));
        var (_, building, _) = Run("_ContainersBuildCheckTargetFramework", libraryWithFrameworks, "Microsoft.NET.Sdk");
        Assert.NotEqual("false", building.GetPropertyValue("IsPublishable"));
    }

    [Fact]
    public void A_multi_targeted_app_must_still_choose_its_framework()
    {
        var (success, _, log) = Run("PublishContainer", "<TargetFrameworks>net10.0;net9.0</TargetFrameworks>");
        Assert.False(success);
        Assert.Equal(Containers.Build.Tasks.DiagnosticCodes.TargetFrameworkNotChosen, Assert.Single(log.Errors).Code);
    }
}
