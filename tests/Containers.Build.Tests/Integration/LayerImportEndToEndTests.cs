using System.Text.Json.Nodes;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// ContainerLayer for real: an "agent" image built by podman and pushed to the registry, and another held only in an
/// OCI layout, layered into the sample. The registry one is mounted (the counting proxy sees the mount and never its
/// bytes), the layout one uploaded unchanged; both keep their digests, and their files are in the running container.
/// </summary>
public class LayerImportEndToEndTests
{
    [IntegrationFact]
    public async Task Layers_of_other_images_keep_their_digests_are_mounted_from_the_registry_and_their_files_are_in_the_running_container()
    {
        using var work = new TempDirectory("cb-layer-import-e2e");
        var agentRepository = TestEnvironment.UniqueRepository("agent");
        var agent = await BuildAgentAsync(work, "agent", "/opt/agent/agent.sh", "#!/bin/sh\necho agent 1.4\n");
        var pushed = await TestEnvironment.PodmanAsync("push", "--tls-verify=false", agent, $"{TestEnvironment.Registry}/{agentRepository}:1.4");
        Assert.True(pushed.ExitCode == 0, pushed.ToString());
        var profiler = await BuildAgentAsync(work, "profiler", "/opt/profiler/profiler.conf", "sampling=10ms\n");
        var layout = work.Combine("profiler-layout");
        var copied = await TestEnvironment.SkopeoAsync("copy", $"containers-storage:{profiler}", $"oci:{layout}:2.0");
        Assert.True(copied.ExitCode == 0, copied.ToString());
        try
        {
            var agentLayer = await OnlyLayerAsync($"docker://{TestEnvironment.Registry}/{agentRepository}:1.4", "--tls-verify=false");
            var profilerLayer = await OnlyLayerAsync($"oci:{layout}:2.0");

            await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
            using var sample = await SampleProject.CreateAsync();
            File.WriteAllText(Path.Combine(sample.Root, "Directory.Build.targets"), $"""
                <Project>
                  <ItemGroup>
                    <ContainerLayer Include="{proxy.Address}/{agentRepository}:1.4" />
                    <ContainerLayer Include="oci:{layout}:2.0" Digest="{profilerLayer}" />
                  </ItemGroup>
                </Project>
                """);
            var repository = TestEnvironment.UniqueRepository("withagent");
            var publish = await sample.PublishImageAsync($"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRegistry={proxy.Address}", $"ContainerRepository={repository}");
            Assert.True(publish.ExitCode == 0, publish.ToString());

            // Above the base, below the app, with the digests they have in their own images.
            var image = $"{TestEnvironment.Registry}/{repository}:latest";
            var manifest = JsonNode.Parse((await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{image}")).Output)!;
            var layers = manifest["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>()).ToArray();
            var baseLayers = await TestEnvironment.AspNetBaseLayerCountAsync();
            Assert.Equal([agentLayer, profilerLayer], layers[baseLayers..(baseLayers + 2)]);

            // The agent's layer was mounted from its repository: a mount request, and its bytes never sent or read.
            Assert.Equal(1, proxy.Count("POST", $"mount={agentLayer}"));
            Assert.Equal(0, proxy.Seen.Count(r => r.Method is "PUT" or "PATCH" or "GET" && r.PathAndQuery.Contains(agentLayer["sha256:".Length..], StringComparison.Ordinal)));
            // The profiler's came from the layout: uploaded once, as it is there.
            Assert.Equal(1, proxy.Seen.Count(r => r.Method is "PUT" or "POST" && r.PathAndQuery.Contains(profilerLayer["sha256:".Length..], StringComparison.Ordinal) && !r.PathAndQuery.Contains("mount=", StringComparison.Ordinal)));
            Assert.Contains("imported", publish.Output, StringComparison.Ordinal);

            var config = JsonNode.Parse((await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--config", $"docker://{image}")).Output)!;
            var comments = config["history"]!.AsArray().Select(h => h!["comment"]?.GetValue<string>() ?? "").ToArray();
            Assert.Contains(comments, c => c.StartsWith($"ContainerLayer: layer {agentLayer} of {proxy.Address}/{agentRepository}:1.4@sha256:", StringComparison.Ordinal));
            Assert.Contains(comments, c => c.StartsWith($"ContainerLayer: layer {profilerLayer} of oci:{layout}:2.0@sha256:", StringComparison.Ordinal));

            await using var running = await RunningContainer.StartAsync(image);
            Assert.Equal("Hello from Containers.Build!", await running.GetOkAsync());
            var files = await running.ExecAsync("sh", "-c", "/opt/agent/agent.sh && cat /opt/profiler/profiler.conf");
            Assert.True(files.ExitCode == 0, files.ToString());
            Assert.Equal("agent 1.4\nsampling=10ms", files.Output.Trim());
        }
        finally
        {
            await TestEnvironment.PodmanAsync("rmi", "-f", agent, profiler);
        }
    }

    /// <summary>An image of one layer, built by podman from scratch: one file, executable when it is a script.</summary>
    private static async Task<string> BuildAgentAsync(TempDirectory work, string name, string path, string content)
    {
        var context = work.Combine($"{name}-context");
        Directory.CreateDirectory(context);
        var file = Path.Combine(context, Path.GetFileName(path));
        File.WriteAllText(file, content);
        File.SetUnixFileMode(file, content.StartsWith("#!", StringComparison.Ordinal) ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100);
        File.WriteAllText(Path.Combine(context, "Containerfile"), $"FROM scratch\nCOPY {Path.GetFileName(path)} {path}\n");
        var tag = $"localhost/cb-{name}-{Guid.NewGuid():N}:1";
        var built = await TestEnvironment.PodmanAsync("build", "-t", tag, context);
        Assert.True(built.ExitCode == 0, built.ToString());
        return tag;
    }

    private static async Task<string> OnlyLayerAsync(string image, params string[] options)
    {
        var raw = await TestEnvironment.SkopeoAsync(["inspect", .. options, "--raw", image]);
        Assert.True(raw.ExitCode == 0, raw.ToString());
        return Assert.Single(JsonNode.Parse(raw.Output)!["layers"]!.AsArray())!["digest"]!.GetValue<string>();
    }
}
