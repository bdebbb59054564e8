using System.Text.Json.Nodes;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// Base images that live in files, not in a registry: the sample published on them to the real registry (through
/// a proxy that counts what it receives), and run under podman.
/// </summary>
public class BaseImageSourceTests
{
    [IntegrationTheory]
    [InlineData("oci", "aspnet")]
    [InlineData("oci-archive", "aspnet.tar")]
    public async Task The_sample_published_on_a_base_from_a_file_is_pushed_with_each_base_layer_once_and_runs_under_podman(string transport, string fileName)
    {
        using var layoutDirectory = new TempDirectory("cb-file-base");
        var written = $"{transport}:{layoutDirectory.Combine(fileName)}:10.0";
        var copied = await TestEnvironment.SkopeoAsync("copy", "--src-tls-verify=false", $"docker://{TestEnvironment.Registry}/dotnet/aspnet:10.0-amd64", written);
        Assert.True(copied.ExitCode == 0, copied.ToString());
        var inspected = await TestEnvironment.SkopeoAsync("inspect", "--raw", written);
        Assert.True(inspected.ExitCode == 0, inspected.ToString());
        var layoutManifestDigest = (await TestEnvironment.SkopeoAsync("inspect", "--format", "{{.Digest}}", written)).Output.Trim();
        Assert.StartsWith("sha256:", layoutManifestDigest, StringComparison.Ordinal);
        var baseLayers = JsonNode.Parse(inspected.Output)!["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>()).ToArray();
        Assert.NotEmpty(baseLayers);

        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("filebase");
        var publish = await sample.PublishImageAsync($"ContainerRegistry={proxy.Address}", $"ContainerBaseImage={written}", $"ContainerRepository={repository}");
        Assert.True(publish.ExitCode == 0, publish.ToString());

        // The base came from the file: nothing was read from the registry's copy of it, and each of its layers
        // was sent exactly once (monolithic POST or the closing PUT name the digest).
        Assert.DoesNotContain(proxy.Seen, r => r.PathAndQuery.Contains("/dotnet/aspnet/", StringComparison.Ordinal));
        foreach (var layer in baseLayers)
        {
            var hex = layer["sha256:".Length..];
            var sent = proxy.Seen.Count(r => r.Method is "PUT" or "POST" && r.PathAndQuery.Contains(hex, StringComparison.Ordinal));
            Assert.True(sent == 1, $"{layer} was sent {sent} times:\n{string.Join("\n", proxy.Seen.Select(r => $"{r.Method} {r.PathAndQuery}"))}");
        }

        var image = $"{TestEnvironment.Registry}/{repository}:latest";
        var raw = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{image}");
        Assert.True(raw.ExitCode == 0, raw.ToString());
        var pushedLayers = JsonNode.Parse(raw.Output)!["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>()).ToArray();
        Assert.Equal(baseLayers, pushedLayers[..baseLayers.Length]);

        var config = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--config", $"docker://{image}");
        Assert.True(config.ExitCode == 0, config.ToString());
        var labels = JsonNode.Parse(config.Output)!["config"]!["Labels"]!;
        Assert.Equal(written, labels["org.opencontainers.image.base.name"]!.GetValue<string>());
        Assert.Equal(layoutManifestDigest, labels["org.opencontainers.image.base.digest"]!.GetValue<string>());

        await using var container = await RunningContainer.StartAsync(image);
        Assert.Equal("Hello from Containers.Build!", await container.GetOkAsync());
        // The user came from the base's APP_UID, as it does for a registry base.
        Assert.Equal("1654", (await container.ExecAsync("id", "-u")).Output.Trim());
    }

    [IntegrationFact]
    public async Task The_sample_published_on_a_docker_archive_base_gets_its_layers_gzipped_once_and_runs_under_podman()
    {
        using var archiveDirectory = new TempDirectory("cb-docker-archive-base");
        var archive = archiveDirectory.Combine("aspnet.tar");
        var copied = await TestEnvironment.SkopeoAsync("copy", "--src-tls-verify=false", $"docker://{TestEnvironment.Registry}/dotnet/aspnet:10.0-amd64", $"docker-archive:{archive}:cb/aspnet:10.0");
        Assert.True(copied.ExitCode == 0, copied.ToString());
        var archiveConfig = await TestEnvironment.SkopeoAsync("inspect", "--config", $"docker-archive:{archive}");
        Assert.True(archiveConfig.ExitCode == 0, archiveConfig.ToString());
        var diffIds = JsonNode.Parse(archiveConfig.Output)!["rootfs"]!["diff_ids"]!.AsArray().Select(d => d!.GetValue<string>()).ToArray();

        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("dockerarchive");
        var written = $"docker-archive:{archive}:cb/aspnet:10.0";
        var publish = await sample.PublishImageAsync($"ContainerRegistry={proxy.Address}", $"ContainerBaseImage={written}", $"ContainerRepository={repository}");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.DoesNotContain(proxy.Seen, r => r.PathAndQuery.Contains("/dotnet/aspnet/", StringComparison.Ordinal));

        var image = $"{TestEnvironment.Registry}/{repository}:latest";
        var raw = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{image}");
        Assert.True(raw.ExitCode == 0, raw.ToString());
        var manifest = JsonNode.Parse(raw.Output)!;
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", manifest["mediaType"]!.GetValue<string>());
        var pushedBaseLayers = manifest["layers"]!.AsArray().Take(diffIds.Length).ToArray();
        foreach (var layer in pushedBaseLayers)
        {
            // Gzipped here (the archive's tars are not), and sent once.
            Assert.Equal("application/vnd.docker.image.rootfs.diff.tar.gzip", layer!["mediaType"]!.GetValue<string>());
            var hex = layer["digest"]!.GetValue<string>()["sha256:".Length..];
            Assert.DoesNotContain($"sha256:{hex}", diffIds);
            var sent = proxy.Seen.Count(r => r.Method is "PUT" or "POST" && r.PathAndQuery.Contains(hex, StringComparison.Ordinal));
            Assert.True(sent == 1, $"{hex} was sent {sent} times:\n{string.Join("\n", proxy.Seen.Select(r => $"{r.Method} {r.PathAndQuery}"))}");
        }

        var config = JsonNode.Parse((await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--config", $"docker://{image}")).Output)!;
        // The diff_ids are the archive's tars: the layers hold exactly those bytes.
        Assert.Equal(diffIds, config["rootfs"]!["diff_ids"]!.AsArray().Take(diffIds.Length).Select(d => d!.GetValue<string>()));
        var labels = config["config"]!["Labels"]!;
        Assert.Equal(written, labels["org.opencontainers.image.base.name"]!.GetValue<string>());
        Assert.StartsWith("sha256:", labels["org.opencontainers.image.base.digest"]!.GetValue<string>(), StringComparison.Ordinal);

        await using var container = await RunningContainer.StartAsync(image);
        Assert.Equal("Hello from Containers.Build!", await container.GetOkAsync());
        Assert.Equal("1654", (await container.ExecAsync("id", "-u")).Output.Trim());

        // Published again: the base layers are remembered gzipped, and the registry has them: nothing is sent.
        var again = await sample.PublishImageAsync($"ContainerRegistry={proxy.Address}", $"ContainerBaseImage={written}", $"ContainerRepository={repository}");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("uploaded 0 blobs", again.Output, StringComparison.Ordinal);
        Assert.Equal(SampleProject.PushedDigest(publish), SampleProject.PushedDigest(again));
    }

    [IntegrationFact]
    public async Task An_image_on_scratch_holds_only_the_app_layer_and_its_static_executable_runs_under_podman()
    {
        using var sample = await SampleProject.CreateAsync();
        // A static executable (no libc needed) in the publish output, run as the app command.
        File.Copy("/usr/bin/catatonit", Path.Combine(sample.ProjectDirectory, "catatonit"));
        File.WriteAllText(Path.Combine(sample.Root, "Directory.Build.targets"), """
            <Project>
              <ItemGroup>
                <None Include="catatonit" CopyToPublishDirectory="PreserveNewest" />
                <ContainerAppCommand Include="/app/catatonit" />
                <ContainerAppCommandArgs Include="--version" />
              </ItemGroup>
            </Project>
            """);
        var repository = TestEnvironment.UniqueRepository("scratch");
        var publish = await sample.PublishImageAsync($"ContainerRegistry={TestEnvironment.Registry}", "ContainerBaseImage=scratch", $"ContainerRepository={repository}");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.DoesNotContain("inferred", publish.Output, StringComparison.Ordinal);

        var image = $"{TestEnvironment.Registry}/{repository}:latest";
        var raw = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{image}");
        Assert.True(raw.ExitCode == 0, raw.ToString());
        Assert.Single(JsonNode.Parse(raw.Output)!["layers"]!.AsArray());
        var config = JsonNode.Parse((await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--config", $"docker://{image}")).Output)!;
        Assert.Equal("linux", config["os"]!.GetValue<string>());
        Assert.Equal("amd64", config["architecture"]!.GetValue<string>());
        Assert.Single(config["rootfs"]!["diff_ids"]!.AsArray());
        Assert.Null(config["config"]!["Labels"]?["org.opencontainers.image.base.name"]);

        var run = await TestEnvironment.PodmanAsync("run", "--rm", "--tls-verify=false", image);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("catatonit", run.Output, StringComparison.Ordinal);
    }

    [IntegrationFact]
    public async Task The_sample_published_on_an_image_podman_built_and_never_pushed_carries_its_files_and_runs_under_podman()
    {
        using var context = new TempDirectory("cb-engine-base");
        context.WriteFile("marker.txt", "built by podman, never pushed\n");
        context.WriteFile("Containerfile", $"FROM {TestEnvironment.Registry}/dotnet/aspnet:10.0-amd64\nCOPY marker.txt /etc/marker.txt\n");
        var name = $"localhost/cb-podman-base-{Guid.NewGuid():N}:1";
        var built = await TestEnvironment.PodmanAsync("build", "--tls-verify=false", "--network", "host", "-t", name, context.Path);
        Assert.True(built.ExitCode == 0, built.ToString());
        try
        {
            await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
            using var sample = await SampleProject.CreateAsync();
            var repository = TestEnvironment.UniqueRepository("enginebase");
            var written = $"containers-storage:{name}";
            var publish = await sample.PublishImageAsync($"ContainerRegistry={proxy.Address}", $"ContainerBaseImage={written}", $"ContainerRepository={repository}");
            Assert.True(publish.ExitCode == 0, publish.ToString());
            Assert.DoesNotContain(proxy.Seen, r => r.PathAndQuery.Contains("/dotnet/aspnet/", StringComparison.Ordinal));

            var image = $"{TestEnvironment.Registry}/{repository}:latest";
            var raw = JsonNode.Parse((await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{image}")).Output)!;
            var config = JsonNode.Parse((await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--config", $"docker://{image}")).Output)!;
            var engineLayers = JsonNode.Parse((await TestEnvironment.PodmanAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", name)).Output)!.AsArray().Select(l => l!.GetValue<string>()).ToArray();
            Assert.Equal(engineLayers, config["rootfs"]!["diff_ids"]!.AsArray().Take(engineLayers.Length).Select(d => d!.GetValue<string>()));
            foreach (var layer in raw["layers"]!.AsArray().Take(engineLayers.Length))
            {
                var hex = layer!["digest"]!.GetValue<string>()["sha256:".Length..];
                var sent = proxy.Seen.Count(r => r.Method is "PUT" or "POST" && r.PathAndQuery.Contains(hex, StringComparison.Ordinal));
                Assert.True(sent == 1, $"{hex} was sent {sent} times:\n{string.Join("\n", proxy.Seen.Select(r => $"{r.Method} {r.PathAndQuery}"))}");
            }
            Assert.Equal(written, config["config"]!["Labels"]!["org.opencontainers.image.base.name"]!.GetValue<string>());

            await using var container = await RunningContainer.StartAsync(image);
            Assert.Equal("Hello from Containers.Build!", await container.GetOkAsync());
            Assert.Equal("built by podman, never pushed", (await container.ExecAsync("cat", "/etc/marker.txt")).Output.Trim());
            Assert.Equal("1654", (await container.ExecAsync("id", "-u")).Output.Trim());
        }
        finally
        {
            await TestEnvironment.PodmanAsync("rmi", "-f", name);
        }
    }
}
