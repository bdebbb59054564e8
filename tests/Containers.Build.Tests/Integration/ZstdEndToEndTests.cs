using System.Text.Json.Nodes;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// ContainerLayerCompression=zstd for real: the registry holds an OCI manifest whose app layer is zstd (the base's stay
/// gzip), the OCI schemas accept it, zstd itself reads the layer, podman pulls and runs it, and podman loads and runs
/// the docker-archive of the same publish.
/// </summary>
public class ZstdEndToEndTests
{
    private const string ZstdLayer = "application/vnd.oci.image.layer.v1.tar+zstd";

    [IntegrationFact]
    public async Task A_zstd_image_is_in_the_registry_as_oci_with_a_zstd_app_layer_and_podman_pulls_runs_and_loads_it()
    {
        using var sample = await SampleProject.CreateAsync();
        // An app layer no other test has made: podman must unpack it, not find its diff_id in its store already.
        var greeting = $"Hello from zstd {Guid.NewGuid():N}!";
        sample.ReplaceInProgram("Hello from Containers.Build!", greeting);
        var repository = TestEnvironment.UniqueRepository("zstd");
        var layout = Path.Combine(sample.Root, "out", "oci");
        var archive = Path.Combine(sample.Root, "out", "app.tar");
        var publish = await sample.PublishImageAsync(
            $"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRepository={repository}",
            "ContainerLayerCompression=zstd", $"ContainerOciLayoutPath={layout}", $"ContainerArchiveOutputPath={archive}");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        var digest = SampleProject.PushedDigest(publish);

        // skopeo: an OCI manifest, the base's layers gzip as they were, the app's zstd.
        var image = $"docker://{TestEnvironment.Registry}/{repository}:latest";
        var raw = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", image);
        Assert.True(raw.ExitCode == 0, raw.ToString());
        var manifest = JsonNode.Parse(raw.Output)!;
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", manifest["mediaType"]!.GetValue<string>());
        var layers = manifest["layers"]!.AsArray().Select(l => l!["mediaType"]!.GetValue<string>()).ToArray();
        var baseLayers = await TestEnvironment.AspNetBaseLayerCountAsync();
        Assert.Equal(baseLayers + 1, layers.Length);
        Assert.All(layers[..baseLayers], m => Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", m));
        Assert.Equal(ZstdLayer, layers[^1]);

        // The layout of the same publish: the same manifest, every document valid against the OCI schemas, and the app
        // layer a zstd frame that zstd tests whole (its checksum included).
        var schemas = await TestEnvironment.ValidateOciLayoutAsync(layout);
        Assert.True(schemas.ExitCode == 0, schemas.ToString());
        Assert.Contains("1 manifests checked, 2 referrers checked, 0 problems", schemas.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..])));
        var appLayer = manifest["layers"]!.AsArray()[^1]!["digest"]!.GetValue<string>();
        var zstd = await ProcessRunner.RunAsync("zstd", ["-t", Path.Combine(layout, "blobs", "sha256", appLayer["sha256:".Length..])]);
        Assert.True(zstd.ExitCode == 0, zstd.ToString());

        // podman: pulled from the registry, the app answers.
        await using (var container = await RunningContainer.StartAsync($"{TestEnvironment.Registry}/{repository}:latest"))
        {
            Assert.Equal(greeting, await container.GetOkAsync());
        }

        // The docker-archive carries the zstd layer as it is; podman load unpacks it.
        await TestEnvironment.PodmanAsync("rmi", "-f", $"{TestEnvironment.Registry}/{repository}:latest");
        var load = await TestEnvironment.PodmanAsync("load", "-i", archive);
        try
        {
            Assert.True(load.ExitCode == 0, load.ToString());
            Assert.Contains($"localhost/{repository}:latest", load.Output, StringComparison.Ordinal);
            await using var loaded = await RunningContainer.StartAsync($"localhost/{repository}:latest");
            Assert.Equal(greeting, await loaded.GetOkAsync());
        }
        finally
        {
            await TestEnvironment.PodmanAsync("rmi", "-f", $"localhost/{repository}:latest");
        }
    }

    [IntegrationFact]
    public async Task On_a_docker_format_base_a_zstd_image_is_oci_and_the_base_layers_keep_their_bytes()
    {
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("zstd-docker-base");
        var publish = await sample.PublishImageAsync(
            $"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.RuntimeDepsBase}", $"ContainerRepository={repository}",
            "ContainerLayerCompression=zstd", "ContainerNativeDependencyCheck=false");
        Assert.True(publish.ExitCode == 0, publish.ToString());

        var baseRaw = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{TestEnvironment.RuntimeDepsBase}-amd64");
        Assert.True(baseRaw.ExitCode == 0, baseRaw.ToString());
        var baseManifest = JsonNode.Parse(baseRaw.Output)!;
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", baseManifest["mediaType"]!.GetValue<string>());
        var baseDigests = baseManifest["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>()).ToArray();

        var raw = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{TestEnvironment.Registry}/{repository}:latest");
        Assert.True(raw.ExitCode == 0, raw.ToString());
        var manifest = JsonNode.Parse(raw.Output)!;
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", manifest["mediaType"]!.GetValue<string>());
        var layers = manifest["layers"]!.AsArray();
        Assert.Equal(baseDigests, layers.Take(baseDigests.Length).Select(l => l!["digest"]!.GetValue<string>()));
        Assert.All(layers.Take(baseDigests.Length), l => Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", l!["mediaType"]!.GetValue<string>()));
        Assert.All(layers.Skip(baseDigests.Length), l => Assert.Equal(ZstdLayer, l!["mediaType"]!.GetValue<string>()));

        // podman unpacks every layer of it.
        var pull = await TestEnvironment.PodmanAsync("pull", "--tls-verify=false", $"{TestEnvironment.Registry}/{repository}:latest");
        try
        {
            Assert.True(pull.ExitCode == 0, pull.ToString());
        }
        finally
        {
            await TestEnvironment.PodmanAsync("rmi", "-f", $"{TestEnvironment.Registry}/{repository}:latest");
        }
    }

    [IntegrationFact]
    public async Task Zstd_with_the_docker_format_is_CB1117_before_anything_compiles()
    {
        using var sample = await SampleProject.CreateAsync();
        var result = await sample.PublishImageAsync(
            "ContainerRegistry=127.0.0.1:1", "ContainerBaseImage=127.0.0.1:1/dotnet/aspnet:10.0", "ContainerLayerCompression=zstd", "ContainerImageFormat=Docker", "-v:n");

        Assert.True(result.ExitCode != 0, "The publish should have failed:\n" + result);
        Assert.Contains("error CB1117: ContainerLayerCompression=zstd cannot be written with ContainerImageFormat=Docker", result.Output, StringComparison.Ordinal);
        Assert.Contains("ContainerImageFormat=OCI", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("CoreCompile", result.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(sample.ProjectDirectory, "WebApp.dll", SearchOption.AllDirectories));
    }
}
