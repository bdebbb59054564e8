using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// The SDK's entry points, run the way the tools that use them run them (Aspire, azd, Tekton tasks, Visual Studio's
/// container publish profile), with this package referenced: they get Containers.Build's image; with
/// ContainersBuildHandlesPublishContainer=false, the SDK's. And a whole solution published at once.
/// </summary>
public partial class PublishContainerEndToEndTests
{
    /// <summary>Inferred bases (mcr.microsoft.com) come from the test registry, as a team's mirror would serve them.</summary>
    private static Dictionary<string, string?> Mirrored => new() { ["CONTAINERS_BUILD_REGISTRY_MIRRORS"] = $"mcr.microsoft.com={TestEnvironment.Registry}" };

    private static async Task<JsonNode> ConfigAsync(string image)
    {
        var config = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--config", $"docker://{image}");
        Assert.True(config.ExitCode == 0, config.ToString());
        return JsonNode.Parse(config.Output)!;
    }

    private static bool MadeByContainersBuild(JsonNode config)
        => config["history"]!.AsArray().Any(h => h!["created_by"]?.GetValue<string>() == "Containers.Build");

    [IntegrationFact]
    public async Task PublishContainer_makes_the_split_layered_image_and_the_opt_out_gives_the_sdks_single_layer()
    {
        using var sample = await SampleProject.CreateAsync("tests/Fixtures/LayeredApp", ["tests/Fixtures/LayeredApp.Lib"], allowNuGetOrg: true);
        var repository = TestEnvironment.UniqueRepository("publishcontainer");
        string[] common = ["publish", sample.ProjectFile, "-c", "Release", "-t:PublishContainer", "-tl:off",
            $"-p:ContainerRegistry={TestEnvironment.Registry}", $"-p:ContainerBaseImage={TestEnvironment.AspNetBase}"];

        var ours = await sample.DotnetAsync([.. common, $"-p:ContainerRepository={repository}"]);
        Assert.True(ours.ExitCode == 0, ours.ToString());
        var digest = SampleProject.PushedDigest(ours);
        Assert.Contains($"Pushed {TestEnvironment.Registry}/{repository}:latest@{digest}", ours.Output, StringComparison.Ordinal);
        var baseLayers = await TestEnvironment.AspNetBaseLayerCountAsync();
        var config = await ConfigAsync($"{TestEnvironment.Registry}/{repository}:latest");
        Assert.True(MadeByContainersBuild(config));
        // Packages, project references and the app each in a layer of their own (the SDK makes one).
        Assert.True(config["rootfs"]!["diff_ids"]!.AsArray().Count >= baseLayers + 3, config.ToJsonString());

        // What a pipeline step reads back (a Tekton task's --getProperty): the digest that was pushed.
        var asked = await sample.DotnetAsync([.. common, $"-p:ContainerRepository={repository}", "--getProperty:GeneratedContainerDigest"]);
        Assert.True(asked.ExitCode == 0, asked.ToString());
        Assert.Equal(digest, asked.Output.Trim());

        // The opt-out: the SDK's own PublishContainer, its single app layer and its own log line.
        var sdkRepository = TestEnvironment.UniqueRepository("sdkcontainer");
        var sdk = await sample.DotnetAsync([.. common, $"-p:ContainerRepository={sdkRepository}", "-p:ContainersBuildHandlesPublishContainer=false"],
            new Dictionary<string, string?> { ["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = TestEnvironment.Registry });
        Assert.True(sdk.ExitCode == 0, sdk.ToString());
        Assert.Contains($"Pushed image '{sdkRepository}:latest' to registry '{TestEnvironment.Registry}'", sdk.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"Pushed \S+@sha256:", sdk.Output);
        var sdkConfig = await ConfigAsync($"{TestEnvironment.Registry}/{sdkRepository}:latest");
        Assert.False(MadeByContainersBuild(sdkConfig));
        Assert.Equal(baseLayers + 1, sdkConfig["rootfs"]!["diff_ids"]!.AsArray().Count);
    }

    [IntegrationFact]
    public async Task Aspires_command_line_loads_the_image_into_podman_and_it_runs()
    {
        using var sample = await SampleProject.CreateAsync();
        var name = $"aspire-{Guid.NewGuid():N}"[..20];
        // Aspire's ResourceContainerImageBuilder: publish the project, Release, PublishContainer, its repository and tag,
        // and the engine it runs (no registry: the image goes into the local engine).
        var publish = await sample.DotnetAsync(
            ["publish", "--configuration", "Release", "/t:PublishContainer", $"/p:ContainerRepository=\"{name}\"", "/p:ContainerImageTag=\"latest\"",
             "/p:LocalRegistry=\"podman\"", sample.ProjectFile], Mirrored);
        try
        {
            Assert.True(publish.ExitCode == 0, publish.ToString());
            Assert.Matches($@"Loaded localhost/{name}:latest@sha256:[0-9a-f]{{64}} into podman", publish.Output);
            await using var container = await RunningContainer.StartAsync($"localhost/{name}:latest");
            Assert.Equal("Hello from Containers.Build!", await container.GetOkAsync());
        }
        finally
        {
            await TestEnvironment.PodmanAsync("rmi", "-f", $"localhost/{name}:latest");
        }
    }

    [IntegrationFact]
    public async Task The_container_publish_profile_publishes_once_through_containers_build()
    {
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("profile");
        // Visual Studio's and the SDK's profile: WebPublishMethod=Container makes PublishContainer a step of Publish.
        var publish = await sample.DotnetAsync(
            ["publish", sample.ProjectFile, "-c", "Release", "-p:PublishProfile=DefaultContainer", "-tl:off",
             $"-p:ContainerRegistry={TestEnvironment.Registry}", $"-p:ContainerRepository={repository}"], Mirrored);
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Single(PushedLines().Matches(publish.Output));
        Assert.True(MadeByContainersBuild(await ConfigAsync($"{TestEnvironment.Registry}/{repository}:latest")));
    }

    [IntegrationFact]
    public async Task A_solution_publishes_an_image_for_each_app_and_says_why_the_others_have_none()
    {
        using var solution = await SampleProject.CreateAsync("tests/Fixtures/SolutionApp", allowNuGetOrg: true);
        var prefix = TestEnvironment.UniqueRepository("sln");
        foreach (var target in new[] { "PublishImage", "PublishContainer" })
        {
            var publish = await solution.DotnetAsync(
                ["publish", solution.ProjectFile, "-c", "Release", $"-t:{target}", "-tl:off",
                 $"-p:ContainerRegistry={TestEnvironment.Registry}", $"-p:ContainerRepositoryPrefix={prefix}/", $"-p:ContainerImageTag={target.ToLowerInvariant()}"], Mirrored);
            Assert.True(publish.ExitCode == 0, publish.ToString());

            var pushed = PushedLines().Matches(publish.Output).Select(m => m.Groups["name"].Value).Order().ToArray();
            Assert.Equal([.. new[] { "api", "frontend", "jobs" }.Select(app => $"{TestEnvironment.Registry}/{prefix}/{app}:{target.ToLowerInvariant()}")], pushed);
            Assert.Contains("Shared: no image, a library (OutputType Library): only an app makes an image.", publish.Output, StringComparison.Ordinal);
            Assert.Contains("Shared.Multi: no image, a library (OutputType Library): only an app makes an image.", publish.Output, StringComparison.Ordinal);
            Assert.Contains("Api.Tests: no image, a test project (IsTestProject).", publish.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("NETSDK1129", publish.Output, StringComparison.Ordinal);
        }

        // The worker got the runtime image, the web apps the ASP.NET one; each answers for what it is.
        var jobs = await ConfigAsync($"{TestEnvironment.Registry}/{prefix}/jobs:publishimage");
        Assert.Equal(["dotnet", "/app/Jobs.dll"], jobs["config"]!["Entrypoint"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.DoesNotContain(jobs["config"]!["Env"]!.AsArray(), e => e!.GetValue<string>().StartsWith("ASPNET_VERSION=", StringComparison.Ordinal));
        await using var api = await RunningContainer.StartAsync($"{TestEnvironment.Registry}/{prefix}/api:publishcontainer");
        Assert.Equal("Api: hello net10.0", await api.GetOkAsync());
    }

    [GeneratedRegex(@"Pushed (?<name>\S+)@sha256:[0-9a-f]{64}")]
    private static partial Regex PushedLines();
}
