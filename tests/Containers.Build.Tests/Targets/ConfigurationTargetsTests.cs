using Containers.Build.Tasks;
using Containers.Build.Tests.Support;
using Microsoft.Build.Execution;

namespace Containers.Build.Tests.Targets;

/// <summary>
/// The package's targets on real projects, evaluated and run in process by the SDK's MSBuild: the values they
/// compute (base image, labels, app command) and the coded errors they stop with. One class, so that in-process
/// builds never overlap.
/// </summary>
[Collection(InProcessMSBuild.Name)]
public class ConfigurationTargetsTests
{
    private static (ProjectInstance Instance, BuildLog Log) Compute(string properties = "", string items = "", string sdk = "Microsoft.NET.Sdk.Web",
        Dictionary<string, string>? global = null)
    {
        using var project = TargetsProject.Create(properties, items, sdk);
        var (success, instance, log) = project.Build(globalProperties: global);
        Assert.True(success, log.ToString());
        return (instance, log);
    }

    private static BuildLog Fail(string properties = "", string items = "", string sdk = "Microsoft.NET.Sdk.Web", Dictionary<string, string>? global = null, string target = "ComputeContainersBuildConfig")
    {
        using var project = TargetsProject.Create(properties, items, sdk);
        var (success, _, log) = project.Build(target, global);
        Assert.False(success, log.ToString());
        return log;
    }

    private static Dictionary<string, string> Labels(ProjectInstance instance)
        => instance.GetItems("ContainerLabel").ToDictionary(i => i.EvaluatedInclude, i => i.GetMetadataValue("Value"));

    [Fact]
    public void An_untouched_web_project_gets_the_aspnet_image_of_its_framework_and_the_sdk_labels()
    {
        var (instance, log) = Compute();
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", instance.GetPropertyValue("ContainerBaseImage"));
        Assert.Contains(log.Messages, m => m.Contains("inferred from the project", StringComparison.Ordinal));

        var labels = Labels(instance);
        Assert.Equal("1.0.0", labels["org.opencontainers.image.version"]);
        Assert.Equal("App", labels["org.opencontainers.image.authors"]);
        Assert.Equal("10.0", labels["net.dot.runtime.majorminor"]);
        Assert.Equal(instance.GetPropertyValue("NETCoreSdkVersion"), labels["net.dot.sdk.version"]);
        Assert.False(labels.ContainsKey("org.opencontainers.image.description"));
        Assert.False(labels.ContainsKey("org.opencontainers.image.source"));
        // created, base.name and base.digest are the task's: it knows the image's time and the resolved base.
        Assert.False(labels.ContainsKey("org.opencontainers.image.created"));
        Assert.Equal("true", instance.GetPropertyValue("_ContainersBuildGenerateCreatedLabel"));
        Assert.Equal("true", instance.GetPropertyValue("_ContainersBuildGenerateBaseNameLabel"));
        Assert.Equal("true", instance.GetPropertyValue("_ContainersBuildGenerateBaseDigestLabel"));

        Assert.Equal(["dotnet", "/app/App.dll"], instance.GetItems("ContainerAppCommand").Select(i => i.EvaluatedInclude));
    }

    /// <summary>
    /// The settings check runs at the start of the build in the build's own project instance: it applies the defaults
    /// itself and leaves no property set and no item behind, so the build computes them at their usual time, from the
    /// values the build has then.
    /// </summary>
    [Fact]
    public void The_check_leaves_the_builds_instance_as_it_found_it()
    {
        using var project = TargetsProject.Create("<RegistryUrl>https://registry.contoso.example/</RegistryUrl><PublishImageTag>v7</PublishImageTag>");
        var (success, instance, log) = project.Build("_ContainersBuildCheckSettings");

        Assert.True(success, log.ToString());
        foreach (var property in new[] { "ContainerBaseImage", "ContainerRegistry", "ContainerImageTag", "ContainerWorkingDirectory", "ContainerRuntimeIdentifier",
                     "ContainerImageFactsPath", "ContainersBuildContentStore", "ContainersBuildSharedCache", "_ContainersBuildUserBaseImage", "_ContainersBuildGenerateCreatedLabel" })
        {
            Assert.Equal("", instance.GetPropertyValue(property));
        }
        Assert.Empty(instance.GetItems("ContainerAppCommand"));
        Assert.Empty(Labels(instance));
        Assert.Empty(instance.GetItems("_ContainersBuildCheckedSetting"));
        // Nor is the base image's inference logged twice: the compute that sets ContainerBaseImage says it.
        Assert.DoesNotContain(log.Messages, m => m.Contains("inferred from the project", StringComparison.Ordinal));
    }

    /// <summary>
    /// After the check, a build step (a version tool, a target of the project's) may still set what the defaults come
    /// from: the targets compute them from the values it left, as the SDK's ComputeContainerConfig would.
    /// </summary>
    [Fact]
    public void What_a_build_step_sets_after_the_check_is_what_the_defaults_come_from()
    {
        using var project = TargetsProject.Create(targets: """
            <Target Name="SetByABuildStep">
              <PropertyGroup>
                <ContainerWorkingDirectory>/srv/</ContainerWorkingDirectory>
                <Version>2.5.0</Version>
                <PackageVersion>2.5.0</PackageVersion>
                <PublishImageTag>from-the-build</PublishImageTag>
              </PropertyGroup>
            </Target>
            <Target Name="CheckThenBuildThenCompute" DependsOnTargets="_ContainersBuildCheckSettings;SetByABuildStep;_ContainersBuildCollectSettings" />
            """);
        var (success, instance, log) = project.Build("CheckThenBuildThenCompute");

        Assert.True(success, log.ToString());
        Assert.Equal(["dotnet", "/srv/App.dll"], instance.GetItems("ContainerAppCommand").Select(i => i.EvaluatedInclude));
        Assert.Equal("from-the-build", instance.GetPropertyValue("ContainerImageTag"));
        Assert.Equal("2.5.0", Labels(instance)["org.opencontainers.image.version"]);
        Assert.Contains(instance.GetItems("_ContainersBuildSettings"), s => s.EvaluatedInclude == "AppVersion" && s.GetMetadataValue("Value") == "2.5.0");
    }

    /// <summary>The check computes what the targets would, and fails where they would: here the base image's inference.</summary>
    [Theory]
    [InlineData("<ContainerFamily>no such family!</ContainerFamily>", "CB1109")]
    [InlineData("<RegistryUrl>https://registry.contoso.example/team/</RegistryUrl>", "CB1003")]
    [InlineData("<PublishImageTag>bad tag!</PublishImageTag>", "CB1006")]
    public void The_check_applies_the_defaults_and_fails_where_the_publish_would(string properties, string code)
        => Assert.Equal(code, Assert.Single(Fail(properties, target: "_ContainersBuildCheckSettings").Errors).Code);

    [Theory]
    [InlineData("Microsoft.NET.Sdk", "", "mcr.microsoft.com/dotnet/runtime:10.0")]
    [InlineData("Microsoft.NET.Sdk", "<RuntimeIdentifier>linux-x64</RuntimeIdentifier><SelfContained>true</SelfContained>", "mcr.microsoft.com/dotnet/runtime-deps:10.0")]
    [InlineData("Microsoft.NET.Sdk", "<RuntimeIdentifier>linux-x64</RuntimeIdentifier><PublishAot>true</PublishAot>", "mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled-extra")]
    [InlineData("Microsoft.NET.Sdk", "<RuntimeIdentifier>linux-musl-arm64</RuntimeIdentifier><PublishAot>true</PublishAot><InvariantGlobalization>true</InvariantGlobalization>", "mcr.microsoft.com/dotnet/runtime-deps:10.0-alpine")]
    [InlineData("Microsoft.NET.Sdk.Web", "<ContainerRuntimeIdentifier>linux-musl-x64</ContainerRuntimeIdentifier>", "mcr.microsoft.com/dotnet/aspnet:10.0-alpine")]
    [InlineData("Microsoft.NET.Sdk.Web", "<ContainerFamily>noble-chiseled</ContainerFamily>", "mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled-extra")]
    [InlineData("Microsoft.NET.Sdk.Web", "<ContainerFamily>noble-chiseled</ContainerFamily><InvariantGlobalization>true</InvariantGlobalization>", "mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled")]
    [InlineData("Microsoft.NET.Sdk.Web", "<ContainerBaseImage>127.0.0.1:5000/dotnet/aspnet:10.0</ContainerBaseImage><ContainerFamily>alpine</ContainerFamily>", "127.0.0.1:5000/dotnet/aspnet:10.0")]
    public void The_base_image_is_inferred_from_the_project(string sdk, string properties, string expected)
        => Assert.Equal(expected, Compute(properties, sdk: sdk).Instance.GetPropertyValue("ContainerBaseImage"));

    // The SDK's own published cases, through the real targets: NETCoreSdkVersion and the framework set as the SDK's tests set them.
    [Theory]
    [InlineData("8.0.100", "net7.0", "", "mcr.microsoft.com/dotnet/aspnet:7.0")]
    [InlineData("8.0.100-rc.1", "net8.0", "", "mcr.microsoft.com/dotnet/aspnet:8.0.0-rc.1")]
    [InlineData("8.0.100", "net7.0", "<ContainerRuntimeIdentifier>linux-musl-x64</ContainerRuntimeIdentifier>", "mcr.microsoft.com/dotnet/aspnet:7.0-alpine")]
    [InlineData("8.0.100", "net8.0", "<ContainerFamily>jammy-chiseled</ContainerFamily>", "mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled-extra")]
    [InlineData("10.0.100-rc.2.25502.107", "net10.0", "", "mcr.microsoft.com/dotnet/aspnet:10.0.0-rc.2")]
    public void The_sdk_version_decides_the_tag(string sdkVersion, string framework, string properties, string expected)
    {
        var (instance, _) = Compute($"<TargetFramework>{framework}</TargetFramework>{properties}", global: new() { ["NETCoreSdkVersion"] = sdkVersion });
        Assert.Equal(expected, instance.GetPropertyValue("ContainerBaseImage"));
    }

    [Fact]
    public void Label_values_come_from_the_container_properties_or_their_package_fallbacks()
    {
        var (instance, _) = Compute("""
            <Description>A shop</Description>
            <Authors>Contoso</Authors>
            <PackageProjectUrl>https://contoso.example/shop</PackageProjectUrl>
            <PackageLicenseExpression>MIT</PackageLicenseExpression>
            <Title>Shop</Title>
            <Version>2.3.4</Version>
            <ContainerVendor>Contoso Ltd</ContainerVendor>
            <ContainerDocumentationUrl>https://docs.contoso.example</ContainerDocumentationUrl>
            <ContainerTitle>Contoso Shop</ContainerTitle>
            """);
        var labels = Labels(instance);
        Assert.Equal("A shop", labels["org.opencontainers.image.description"]);
        Assert.Equal("A shop", labels["org.opencontainers.artifact.description"]);
        Assert.Equal("Contoso", labels["org.opencontainers.image.authors"]);
        Assert.Equal("https://contoso.example/shop", labels["org.opencontainers.image.url"]);
        Assert.Equal("https://docs.contoso.example", labels["org.opencontainers.image.documentation"]);
        Assert.Equal("MIT", labels["org.opencontainers.image.licenses"]);
        Assert.Equal("Contoso Shop", labels["org.opencontainers.image.title"]);
        Assert.Equal("2.3.4", labels["org.opencontainers.image.version"]);
        Assert.Equal("Contoso Ltd", labels["org.opencontainers.image.vendor"]);
    }

    [Fact]
    public void Each_label_has_its_switch_a_project_label_wins_and_generation_can_be_turned_off()
    {
        var (instance, _) = Compute("<ContainerGenerateLabelsImageAuthors>false</ContainerGenerateLabelsImageAuthors><ContainerGenerateLabelsImageBaseDigest>false</ContainerGenerateLabelsImageBaseDigest><ContainerGenerateLabelsDotnetToolset>false</ContainerGenerateLabelsDotnetToolset>",
            """<ContainerLabel Include="org.opencontainers.image.version" Value="from-the-project" />""");
        var labels = Labels(instance);
        Assert.False(labels.ContainsKey("org.opencontainers.image.authors"));
        Assert.False(labels.ContainsKey("net.dot.sdk.version"));
        Assert.Single(instance.GetItems("ContainerLabel"), i => i.EvaluatedInclude == "org.opencontainers.image.version");
        Assert.Equal("from-the-project", labels["org.opencontainers.image.version"]);
        Assert.Equal("false", instance.GetPropertyValue("_ContainersBuildGenerateBaseDigestLabel"));
        Assert.Equal("true", instance.GetPropertyValue("_ContainersBuildGenerateCreatedLabel"));

        (instance, _) = Compute("<ContainerGenerateLabels>false</ContainerGenerateLabels>", """<ContainerLabel Include="team" Value="web" />""");
        Assert.Equal(["team"], Labels(instance).Keys);
        Assert.Equal("false", instance.GetPropertyValue("_ContainersBuildGenerateCreatedLabel"));
        Assert.Equal("false", instance.GetPropertyValue("_ContainersBuildGenerateBaseNameLabel"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Source_labels_need_publish_repository_url(bool publishRepositoryUrl)
    {
        var (instance, _) = Compute($"""
            <PublishRepositoryUrl>{publishRepositoryUrl}</PublishRepositoryUrl>
            <PrivateRepositoryUrl>https://git.contoso.example/shop/web.git</PrivateRepositoryUrl>
            <SourceRevisionId>0123abcd</SourceRevisionId>
            """);
        var labels = Labels(instance);
        Assert.Equal(publishRepositoryUrl, labels.TryGetValue("org.opencontainers.image.source", out var source));
        Assert.Equal(publishRepositoryUrl, labels.TryGetValue("org.opencontainers.image.revision", out var revision));
        if (publishRepositoryUrl)
        {
            Assert.Equal("https://git.contoso.example/shop/web", source);
            Assert.Equal("0123abcd", revision);
        }
    }

    [Fact]
    public void Repository_url_is_the_source_when_source_link_gives_none()
    {
        var (instance, _) = Compute("<PublishRepositoryUrl>true</PublishRepositoryUrl><RepositoryUrl>https://contoso.example/web</RepositoryUrl>");
        Assert.Equal("https://contoso.example/web", Labels(instance)["org.opencontainers.image.source"]);
    }

    [Theory]
    [InlineData("<RuntimeIdentifier>linux-x64</RuntimeIdentifier><SelfContained>true</SelfContained>", new[] { "/app/App" })]
    [InlineData("<ContainerWorkingDirectory>/srv/shop</ContainerWorkingDirectory>", new[] { "dotnet", "/srv/shop/App.dll" })]
    [InlineData("<ContainerAppCommandInstruction>None</ContainerAppCommandInstruction>", new string[0])]
    public void The_app_command_follows_the_sdk(string properties, string[] command)
        => Assert.Equal(command, Compute(properties).Instance.GetItems("ContainerAppCommand").Select(i => i.EvaluatedInclude));

    [Fact]
    public void Several_target_frameworks_and_none_chosen_is_an_error_saying_how_to_choose()
    {
        foreach (var target in new[] { "PublishImage", "ComputeContainersBuildConfig" })
        {
            var log = Fail("<TargetFrameworks>net10.0;net9.0</TargetFrameworks>", target: target);
            var error = Assert.Single(log.Errors);
            Assert.Equal(DiagnosticCodes.TargetFrameworkNotChosen, error.Code);
            Assert.Contains("net10.0;net9.0", error.Message, StringComparison.Ordinal);
            Assert.Contains("-f net10.0", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Musl_mixed_with_glibc_is_an_error()
    {
        var error = Assert.Single(Fail("<ContainerRuntimeIdentifier>linux-musl-x64;linux-arm64</ContainerRuntimeIdentifier>").Errors);
        Assert.Equal(DiagnosticCodes.MuslMixedWithGlibc, error.Code);
        // And the check at the start of the build says so, before anything compiles.
        var early = Assert.Single(Fail("<ContainerRuntimeIdentifier>linux-musl-x64;linux-arm64</ContainerRuntimeIdentifier>", target: "_ContainersBuildCheckSettings").Errors);
        Assert.Equal(DiagnosticCodes.MuslMixedWithGlibc, early.Code);
    }

    [Fact]
    public void A_library_for_netstandard_gets_no_inferred_image()
    {
        var error = Assert.Single(Fail("<TargetFramework>netstandard2.0</TargetFramework>", sdk: "Microsoft.NET.Sdk").Errors);
        Assert.Equal(DiagnosticCodes.BaseImageNotInferable, error.Code);
        Assert.Contains(".NETStandard", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_sdk_version_with_an_unknown_channel_is_an_error()
    {
        var error = Assert.Single(Fail(global: new() { ["NETCoreSdkVersion"] = "10.0.100-nightly.5" }).Errors);
        Assert.Equal(DiagnosticCodes.BaseImageNotInferable, error.Code);
        Assert.Contains("10.0.100-nightly.5", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    // The SDK's rules: ContainerRuntimeIdentifiers without ContainerRuntimeIdentifier, or RuntimeIdentifiers alone.
    [InlineData("<ContainerRuntimeIdentifiers>linux-x64;linux-arm64</ContainerRuntimeIdentifiers>", "true", "linux-x64;linux-arm64")]
    [InlineData("<RuntimeIdentifiers>linux-x64;linux-arm64</RuntimeIdentifiers>", "true", "linux-x64;linux-arm64")]
    [InlineData("<RuntimeIdentifiers>linux-x64;linux-arm64</RuntimeIdentifiers><RuntimeIdentifier>linux-arm64</RuntimeIdentifier>", "false", "linux-arm64")]
    [InlineData("<ContainerRuntimeIdentifiers>linux-x64;linux-arm64</ContainerRuntimeIdentifiers><ContainerRuntimeIdentifier>linux-x64</ContainerRuntimeIdentifier>", "false", "linux-x64")]
    [InlineData("", "false", "host")]
    public void Several_platforms_are_asked_for_as_the_sdk_asks_for_them(string properties, string multiPlatform, string rids)
    {
        var (instance, _) = Compute(properties);
        Assert.Equal(multiPlatform, instance.GetPropertyValue("_ContainersBuildIsMultiPlatform"));
        var expected = rids == "host" ? "linux-" + System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant() : rids;
        Assert.Equal(expected, instance.GetPropertyValue(multiPlatform == "true" ? "_ContainersBuildPlatformRids" : "ContainerRuntimeIdentifier"));
        if (multiPlatform == "true")
        {
            // The base is inferred for all of them; one app command serves both.
            Assert.Equal("", instance.GetPropertyValue("ContainerRuntimeIdentifier"));
            Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", instance.GetPropertyValue("ContainerBaseImage"));
            Assert.Equal("true", instance.GetPropertyValue("_ContainersBuildPortableIL"));
            Assert.Equal(["dotnet", "/app/App.dll"], instance.GetItems("ContainerAppCommand").Select(i => i.EvaluatedInclude));
        }
    }

    [Fact]
    public void Several_platforms_mixing_musl_and_glibc_cannot_share_an_inferred_base()
    {
        var error = Assert.Single(Fail("<ContainerRuntimeIdentifiers>linux-musl-x64;linux-arm64</ContainerRuntimeIdentifiers>").Errors);
        Assert.Equal(DiagnosticCodes.MuslMixedWithGlibc, error.Code);
    }
}
