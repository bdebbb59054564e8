using System.Net;
using System.Text.Json.Nodes;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// The whole path for real: pack the package, publish samples/WebApp with -t:PublishImage to the test registry,
/// then check the result with tools nobody here wrote: skopeo reads the image, podman runs it, HTTP answers.
/// </summary>
public class PublishImageEndToEndTests
{
    [IntegrationFact]
    public async Task The_published_sample_is_in_the_registry_and_runs_under_podman()
    {
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("webapp");
        var publish = await sample.PublishImageAsync(
            $"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.AspNetBase}",
            $"ContainerRepository={repository}", "ContainerImageTags=1.0.0%3Blatest");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        var digest = SampleProject.PushedDigest(publish);
        Assert.DoesNotContain("MSB4018", publish.Output, StringComparison.Ordinal);

        // The facts file CI steps read instead of the log.
        var factsPath = Directory.GetFiles(Path.Combine(sample.ProjectDirectory, "obj"), "container-image.json", SearchOption.AllDirectories).Single();
        var facts = JsonNode.Parse(await File.ReadAllTextAsync(factsPath))!;
        Assert.Equal(digest, facts["manifestDigest"]!.GetValue<string>());
        Assert.Equal(["1.0.0", "latest"], facts["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        var destination = Assert.Single(facts["destinations"]!.AsArray())!;
        Assert.Equal("registry", destination["kind"]!.GetValue<string>());
        Assert.Contains($"{TestEnvironment.Registry}/{repository}:1.0.0", destination["names"]!.AsArray().Select(n => n!.GetValue<string>()));

        // skopeo: the tag names the digest we reported, in the base's (OCI) format, with our config.
        var image = $"docker://{TestEnvironment.Registry}/{repository}:1.0.0";
        var raw = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", image);
        Assert.True(raw.ExitCode == 0, raw.ToString());
        var manifest = JsonNode.Parse(raw.Output)!;
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", manifest["mediaType"]!.GetValue<string>());
        var inspectDigest = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--format", "{{.Digest}}", $"docker://{TestEnvironment.Registry}/{repository}:latest");
        Assert.Equal(digest, inspectDigest.Output.Trim());

        var baseLayers = await TestEnvironment.AspNetBaseLayerCountAsync();
        Assert.Equal(baseLayers + 1, manifest["layers"]!.AsArray().Count);

        var configResult = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--config", image);
        Assert.True(configResult.ExitCode == 0, configResult.ToString());
        var config = JsonNode.Parse(configResult.Output)!;
        var containerConfig = config["config"]!;
        Assert.Equal(["dotnet", "/app/WebApp.dll"], containerConfig["Entrypoint"]!.AsArray().Select(n => n!.GetValue<string>()));
        // As the SDK writes it: the default ContainerWorkingDirectory is /app/.
        Assert.Equal("/app/", containerConfig["WorkingDir"]!.GetValue<string>());
        Assert.Equal("1654", containerConfig["User"]!.GetValue<string>());
        Assert.NotNull(containerConfig["ExposedPorts"]!["8080/tcp"]);
        Assert.Equal(baseLayers + 1, config["rootfs"]!["diff_ids"]!.AsArray().Count);
        Assert.Equal("Containers.Build", config["history"]!.AsArray()[^1]!["created_by"]!.GetValue<string>());

        // podman: the image starts, and the app answers on the port we give it.
        await using var container = await RunningContainer.StartAsync($"{TestEnvironment.Registry}/{repository}:1.0.0");
        Assert.Equal("Hello from Containers.Build!", await container.GetOkAsync());
        Assert.Equal("1654", (await container.ExecAsync("id", "-u")).Output.Trim());
    }

    [IntegrationFact]
    public async Task Republishing_unchanged_gives_the_same_digest_and_uploads_nothing()
    {
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("repeat");
        string[] properties = [$"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRepository={repository}"];

        var first = await sample.PublishImageAsync(properties);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Matches(@"base [\d.]+ \w+ mounted", first.Output);

        var second = await sample.PublishImageAsync(properties);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(SampleProject.PushedDigest(first), SampleProject.PushedDigest(second));
        Assert.Contains("uploaded 0 blobs", second.Output, StringComparison.Ordinal);

        // A code change gives a new app layer; the base layers are already there.
        sample.ReplaceInProgram("Hello from Containers.Build!", "Hello again!");
        var third = await sample.PublishImageAsync(properties);
        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.NotEqual(SampleProject.PushedDigest(first), SampleProject.PushedDigest(third));
        Assert.Contains("uploaded 2 blobs", third.Output, StringComparison.Ordinal);
    }

    [IntegrationFact]
    public async Task A_fresh_runner_finds_the_app_layers_in_the_registry_by_input_key_and_uploads_nothing()
    {
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("fresh-runner");
        string[] properties = [$"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRepository={repository}"];

        var first = await sample.PublishImageAsync(properties);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.DoesNotContain("found in the registry by input key", first.Output, StringComparison.Ordinal);

        // A fresh CI runner: a new clone has no obj/ (so no layer cache) and no bin/.
        sample.ForgetBuildState();
        var fresh = await sample.PublishImageAsync(properties);
        Assert.True(fresh.ExitCode == 0, fresh.ToString());
        Assert.Equal(SampleProject.PushedDigest(first), SampleProject.PushedDigest(fresh));
        Assert.Matches(@"(\d+) of \1 app layers found in the registry by input key; 0 of \d+ app layers reused from the cache; uploaded 0 blobs, 0 B", fresh.Output);
        // Found, not written: the new content store recorded no layer it made.
        var records = Path.Combine(sample.ProjectDirectory, "obj", "containers", "layers");
        Assert.Empty(Directory.Exists(records) ? Directory.GetFiles(records, "*.json") : []);
    }

    [IntegrationFact]
    public async Task A_docker_format_base_gives_a_docker_manifest()
    {
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("docker-format");
        var publish = await sample.PublishImageAsync(
            $"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.RuntimeDepsBase}", $"ContainerRepository={repository}");
        Assert.True(publish.ExitCode == 0, publish.ToString());

        var raw = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{TestEnvironment.Registry}/{repository}:latest");
        var manifest = JsonNode.Parse(raw.Output)!;
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", manifest["mediaType"]!.GetValue<string>());
        Assert.All(manifest["layers"]!.AsArray(), l => Assert.Equal("application/vnd.docker.image.rootfs.diff.tar.gzip", l!["mediaType"]!.GetValue<string>()));
        Assert.Equal("application/vnd.docker.container.image.v1+json", manifest["config"]!["mediaType"]!.GetValue<string>());
    }

    [IntegrationFact]
    public async Task A_base_from_another_registry_is_copied_blob_by_blob()
    {
        // localhost:5000 and 127.0.0.1:5000 are one server but two registry names: nothing can be mounted
        // across them, so the base layers are downloaded (verified) and uploaded.
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("cross-registry");
        var port = TestEnvironment.Registry.Split(':')[1];
        var publish = await sample.PublishImageAsync(
            $"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage=localhost:{port}/dotnet/runtime-deps:10.0", $"ContainerRepository={repository}");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        var summary = publish.Output.Split('\n').Single(l => l.Contains("Pushed ", StringComparison.Ordinal));
        Assert.DoesNotMatch(@"base [\d.]+ \w+ mounted", summary);
        Assert.Matches(@"base [\d.]+ \w+ uploaded", summary);

        var copy = await TestEnvironment.SkopeoAsync("copy", "--src-tls-verify=false", $"docker://{TestEnvironment.Registry}/{repository}:latest", $"dir:{Path.Combine(sample.ProjectDirectory, "copied")}");
        Assert.True(copy.ExitCode == 0, copy.ToString());
    }
}
