using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// -t:RebaseImage for real: the sample published on a copy of aspnet, that base's tag moved to an image podman built
/// on it (one more layer), then the rebase: the image gets the new base's layers under its own, runs under podman
/// with the new base's file, and a second rebase has nothing to do.
/// </summary>
public partial class RebaseEndToEndTests
{
    [IntegrationFact]
    public async Task The_published_sample_moves_onto_its_bases_new_digest_without_a_build_and_runs_with_the_new_base()
    {
        var baseImage = $"{TestEnvironment.Registry}/{TestEnvironment.UniqueRepository("rebase-base")}:10.0";
        var copied = await TestEnvironment.SkopeoAsync("copy", "--src-tls-verify=false", "--dest-tls-verify=false",
            $"docker://{TestEnvironment.Registry}/dotnet/aspnet:10.0-amd64", $"docker://{baseImage}");
        Assert.True(copied.ExitCode == 0, copied.ToString());
        var oldBaseLayers = await LayersAsync(baseImage);

        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("rebase-app");
        string[] properties = [$"ContainerRegistry={TestEnvironment.Registry}", $"ContainerRepository={repository}", $"ContainerBaseImage={baseImage}"];
        var publish = await sample.PublishImageAsync(properties);
        Assert.True(publish.ExitCode == 0, publish.ToString());
        var published = SampleProject.PushedDigest(publish);
        var image = $"{TestEnvironment.Registry}/{repository}:latest";
        var publishedLayers = await LayersAsync(image);
        Assert.Equal(oldBaseLayers, publishedLayers[..oldBaseLayers.Length]);
        var appLayers = publishedLayers[oldBaseLayers.Length..];

        // The base's tag moves: podman builds on it (one more layer) and pushes to the same tag.
        using var context = new TempDirectory("cb-rebase-base");
        context.WriteFile("marker.txt", "the new base\n");
        context.WriteFile("Containerfile", $"FROM {baseImage}\nCOPY marker.txt /etc/rebase-marker.txt\n");
        var built = await TestEnvironment.PodmanAsync("build", "--tls-verify=false", "--network", "host", "-t", baseImage, context.Path);
        Assert.True(built.ExitCode == 0, built.ToString());
        try
        {
            var pushed = await TestEnvironment.PodmanAsync("push", "--tls-verify=false", baseImage);
            Assert.True(pushed.ExitCode == 0, pushed.ToString());
        }
        finally
        {
            await TestEnvironment.PodmanAsync("rmi", "-f", baseImage);
        }
        var newBaseLayers = await LayersAsync(baseImage);
        var newBaseDigest = (await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--format", "{{.Digest}}", $"docker://{baseImage}")).Output.Trim();
        Assert.NotEqual(oldBaseLayers, newBaseLayers);

        var rebase = await sample.MSBuildAsync("RebaseImage", properties);
        Assert.True(rebase.ExitCode == 0, rebase.ToString());
        // Nothing was compiled: the build would print "WebApp -> .../WebApp.dll".
        Assert.DoesNotContain("WebApp.dll", rebase.Output, StringComparison.Ordinal);
        var rebased = RebasedPattern().Match(rebase.Output);
        Assert.True(rebased.Success, rebase.ToString());
        var digest = rebased.Groups["digest"].Value;
        Assert.NotEqual(published, digest);
        Assert.Contains($"onto {baseImage}@{newBaseDigest} (was {published} on sha256:", rebase.Output, StringComparison.Ordinal);

        Assert.Equal(digest, (await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--format", "{{.Digest}}", $"docker://{image}")).Output.Trim());
        var layers = await LayersAsync(image);
        Assert.Equal(newBaseLayers, layers[..newBaseLayers.Length]);
        Assert.Equal(appLayers, layers[newBaseLayers.Length..]);
        var config = JsonNode.Parse((await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--config", $"docker://{image}")).Output)!;
        Assert.Equal(newBaseDigest, config["config"]!["Labels"]!["org.opencontainers.image.base.digest"]!.GetValue<string>());
        Assert.Equal(layers.Length, config["rootfs"]!["diff_ids"]!.AsArray().Count);

        await using (var container = await RunningContainer.StartAsync(image))
        {
            Assert.Equal("Hello from Containers.Build!", await container.GetOkAsync());
            Assert.Equal("the new base", (await container.ExecAsync("cat", "/etc/rebase-marker.txt")).Output.Trim());
            Assert.Equal("1654", (await container.ExecAsync("id", "-u")).Output.Trim());
        }

        var again = await sample.MSBuildAsync("RebaseImage", properties);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"{image}@{digest} is already on the current {baseImage}@{newBaseDigest}: nothing to do.", again.Output, StringComparison.Ordinal);
        Assert.Equal(digest, (await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--format", "{{.Digest}}", $"docker://{image}")).Output.Trim());
    }

    private static async Task<string[]> LayersAsync(string image)
    {
        var raw = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{image}");
        Assert.True(raw.ExitCode == 0, raw.ToString());
        return JsonNode.Parse(raw.Output)!["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>()).ToArray();
    }

    [GeneratedRegex(@"Rebased \S+@(?<digest>sha256:[0-9a-f]{64}) onto")]
    private static partial Regex RebasedPattern();
}
