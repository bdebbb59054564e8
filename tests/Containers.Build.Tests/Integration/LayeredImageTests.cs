using System.Net;
using System.Text.Json.Nodes;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// Layers split by how often they change, the layer cache, deterministic entries and reproducible digests,
/// checked against the real registry with skopeo and podman.
/// </summary>
public class LayeredImageTests
{
    private static async Task<JsonNode> RawManifestAsync(string reference)
    {
        var raw = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{reference}");
        Assert.True(raw.ExitCode == 0, raw.ToString());
        return JsonNode.Parse(raw.Output)!;
    }

    private static async Task<JsonNode> ConfigAsync(string reference)
    {
        var config = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--config", $"docker://{reference}");
        Assert.True(config.ExitCode == 0, config.ToString());
        return JsonNode.Parse(config.Output)!;
    }

    /// <summary>A new repository in the test registry: its image, and the properties that push there on the aspnet base.</summary>
    private static (string Image, string[] Properties) NewRepository(string name)
    {
        var repository = TestEnvironment.UniqueRepository(name);
        return ($"{TestEnvironment.Registry}/{repository}:latest",
            [$"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRepository={repository}"]);
    }

    private static string[] LayerDigests(JsonNode manifest) => manifest["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>()).ToArray();

    /// <summary>
    /// The usual CI run: the next commit, on a fresh runner (no obj/, no bin/). The packages layer is the same at every
    /// commit (its entries do not take the commit's time), so it is found in the registry by its key, neither written nor
    /// uploaded; the layers of the project's own files take the new time and are new.
    /// </summary>
    [IntegrationFact]
    public async Task A_fresh_runner_of_the_next_commit_uploads_no_packages_layer_and_the_image_runs()
    {
        using var sample = await SampleProject.CreateAsync("tests/Fixtures/LayeredApp", ["tests/Fixtures/LayeredApp.Lib"], allowNuGetOrg: true);
        var (image, properties) = NewRepository("next-commit");

        var first = await sample.PublishImageAsync(new Dictionary<string, string?> { ["SOURCE_DATE_EPOCH"] = "1700000000" }, properties);
        Assert.True(first.ExitCode == 0, first.ToString());
        var before = LayerDigests(await RawManifestAsync(image));

        sample.ForgetBuildState();
        sample.ReplaceInProgram("(version 1)", "(version 2)");
        var next = await sample.PublishImageAsync(new Dictionary<string, string?> { ["SOURCE_DATE_EPOCH"] = "1700086400" }, properties);
        Assert.True(next.ExitCode == 0, next.ToString());

        Assert.Contains("1 of 4 app layers found in the registry by input key", next.Output, StringComparison.Ordinal);
        var after = LayerDigests(await RawManifestAsync(image));
        Assert.Equal(before[^4], after[^4]);
        Assert.All(Enumerable.Range(1, 3), i => Assert.NotEqual(before[^i], after[^i]));
        await using var container = await RunningContainer.StartAsync(image);
        Assert.Equal("Hello, layers! (version 2)", await container.GetOkAsync());
    }

    /// <summary>
    /// The packages layer carries Serilog.dll as its NuGet package deflated it, a gzip member of its own between two of
    /// ours: the registry takes it, umoci unpacks it to the published bytes, and podman runs the app that loads it.
    /// </summary>
    [IntegrationFact]
    public async Task The_packages_layer_carries_the_packages_own_deflate_and_every_reader_takes_it()
    {
        using var sample = await SampleProject.CreateAsync("tests/Fixtures/LayeredApp", ["tests/Fixtures/LayeredApp.Lib"], allowNuGetOrg: true);
        var (image, properties) = NewRepository("package-deflate");

        var publish = await sample.PublishImageAsync(properties);
        Assert.True(publish.ExitCode == 0, publish.ToString());

        var layout = Path.Combine(sample.Root, "copied");
        var copy = await TestEnvironment.SkopeoAsync("copy", "--src-tls-verify=false", $"docker://{image}", $"oci:{layout}:copied");
        Assert.True(copy.ExitCode == 0, copy.ToString());
        var packagesLayer = (await RawManifestAsync(image))["layers"]!.AsArray()[^4]!["digest"]!.GetValue<string>();
        var blob = Path.Combine(layout, "blobs", "sha256", packagesLayer["sha256:".Length..]);
        Assert.Equal(3, Layers.PackageDeflateTests.Members(await File.ReadAllBytesAsync(blob)));
        var test = await ProcessRunner.RunAsync("gzip", ["-t", blob]);
        Assert.True(test.ExitCode == 0, test.ToString());

        var bundle = Path.Combine(sample.Root, "bundle");
        var unpack = await ProcessRunner.RunAsync("umoci", ["unpack", "--image", $"{layout}:copied", bundle]);
        Assert.True(unpack.ExitCode == 0, unpack.ToString());
        var published = Directory.GetFiles(sample.ProjectDirectory, "Serilog.dll", SearchOption.AllDirectories).First(f => f.Contains("publish", StringComparison.Ordinal));
        Assert.Equal(await File.ReadAllBytesAsync(published), await File.ReadAllBytesAsync(Path.Combine(bundle, "rootfs", "app", "Serilog.dll")));

        await using var container = await RunningContainer.StartAsync(image);
        Assert.Equal("Hello, layers! (version 1)", await container.GetOkAsync());
    }

    [IntegrationFact]
    public async Task A_code_change_pushes_only_the_app_layer_and_the_image_runs()
    {
        using var sample = await SampleProject.CreateAsync("tests/Fixtures/LayeredApp", ["tests/Fixtures/LayeredApp.Lib"], allowNuGetOrg: true);
        var (image, properties) = NewRepository("layered");

        var first = await sample.PublishImageAsync(properties);
        Assert.True(first.ExitCode == 0, first.ToString());
        var before = LayerDigests(await RawManifestAsync(image));
        var config = await ConfigAsync(image);
        var comments = config["history"]!.AsArray().Select(h => h!["comment"]?.GetValue<string>() ?? "").ToArray()[^4..];
        Assert.Contains("NuGet package assets", comments[0], StringComparison.Ordinal);
        Assert.Contains("project reference assemblies", comments[1], StringComparison.Ordinal);
        Assert.Contains("static web assets", comments[2], StringComparison.Ordinal);
        Assert.Contains("the application", comments[3], StringComparison.Ordinal);

        sample.ReplaceInProgram("(version 1)", "(version 2)");
        var second = await sample.PublishImageAsync(properties);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("3 of 4 app layers reused from the cache", second.Output, StringComparison.Ordinal);
        Assert.Contains("uploaded 2 blobs", second.Output, StringComparison.Ordinal);
        var after = LayerDigests(await RawManifestAsync(image));
        Assert.Equal(before.Length, after.Length);
        Assert.Equal(before[..^1], after[..^1]);
        Assert.NotEqual(before[^1], after[^1]);
        var appLayerSize = (await RawManifestAsync(image))["layers"]!.AsArray()[^1]!["size"]!.GetValue<long>();
        Assert.True(appLayerSize < 200_000, $"The app layer is {appLayerSize} bytes.");

        await using var container = await RunningContainer.StartAsync(image);
        Assert.Equal("Hello, layers! (version 2)", await container.GetOkAsync());
        Assert.Contains("steelblue", await container.GetOkAsync("/css/site.css"), StringComparison.Ordinal);

        // Modes and owners as written: 0644 for files, 0755 for the app host and directories, root-owned.
        var stat = await container.ExecAsync("stat", "-c", "%a %u:%g %n", "/app/LayeredApp.dll", "/app/LayeredApp", "/app/wwwroot", "/app/Serilog.dll");
        Assert.True(stat.ExitCode == 0, stat.ToString());
        Assert.Contains("644 0:0 /app/LayeredApp.dll", stat.Output, StringComparison.Ordinal);
        Assert.Contains("755 0:0 /app/LayeredApp\n", stat.Output, StringComparison.Ordinal);
        Assert.Contains("755 0:0 /app/wwwroot", stat.Output, StringComparison.Ordinal);
        Assert.Contains("644 0:0 /app/Serilog.dll", stat.Output, StringComparison.Ordinal);
    }

    [IntegrationFact]
    public async Task Single_layering_app_owned_files_and_a_secret_warning()
    {
        using var sample = await SampleProject.CreateAsync("tests/Fixtures/LayeredApp", ["tests/Fixtures/LayeredApp.Lib"], allowNuGetOrg: true);
        File.WriteAllText(Path.Combine(sample.ProjectDirectory, "appsettings.Development.json"), """{"ConnectionStrings":{"Db":"secret"}}""");
        var repository = TestEnvironment.UniqueRepository("single");
        var image = $"{TestEnvironment.Registry}/{repository}:latest";

        var publish = await sample.PublishImageAsync($"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.AspNetBase}",
            $"ContainerRepository={repository}", "ContainerLayering=Single", "ContainerFileOwner=app");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Matches(@"warning CB4001: .*/app/appsettings\.Development\.json", publish.Output);

        var baseLayers = await TestEnvironment.AspNetBaseLayerCountAsync();
        Assert.Equal(baseLayers + 1, LayerDigests(await RawManifestAsync(image)).Length);

        var stat = await TestEnvironment.PodmanAsync("run", "--rm", "--network", "host", "--tls-verify=false", "--pull=always", "--entrypoint", "stat", image,
            "-c", "%u:%g %n", "/app/LayeredApp.dll", "/app/Serilog.dll");
        Assert.True(stat.ExitCode == 0, stat.ToString());
        Assert.Contains("1654:1654 /app/LayeredApp.dll", stat.Output, StringComparison.Ordinal);
        Assert.Contains("1654:1654 /app/Serilog.dll", stat.Output, StringComparison.Ordinal);
    }

    [IntegrationFact]
    public async Task The_same_commit_cloned_to_two_paths_gives_the_same_digest()
    {
        // An app with a project reference, a package and static web assets: the SDK writes the wwwroot files'
        // times (the checkout time) into its endpoints manifest, which the image gets with the commit's time.
        var digests = new List<string>();
        foreach (var clone in new[] { "clone-a", "clone-b/nested" })
        {
            var root = Path.Combine(Path.GetTempPath(), $"cb-repro-{Guid.NewGuid():N}", clone);
            using var sample = await SampleProject.CreateAsync("tests/Fixtures/LayeredApp", ["tests/Fixtures/LayeredApp.Lib"], allowNuGetOrg: true, root: root);
            var environment = new Dictionary<string, string?>
            {
                ["GIT_AUTHOR_NAME"] = "Test", ["GIT_AUTHOR_EMAIL"] = "test@example.com", ["GIT_AUTHOR_DATE"] = "2024-05-01T12:00:00Z",
                ["GIT_COMMITTER_NAME"] = "Test", ["GIT_COMMITTER_EMAIL"] = "test@example.com", ["GIT_COMMITTER_DATE"] = "2024-05-01T12:00:00Z",
            };
            foreach (var git in new[] { new[] { "init", "-q", "-b", "main" }, ["add", "-A"], ["commit", "-q", "-m", "same commit"] })
            {
                var result = await ProcessRunner.RunAsync("git", git, sample.Root, environment);
                Assert.True(result.ExitCode == 0, result.ToString());
            }

            var repository = TestEnvironment.UniqueRepository("repro");
            var publish = await sample.PublishImageAsync($"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.AspNetBase}",
                $"ContainerRepository={repository}", "ContinuousIntegrationBuild=true");
            Assert.True(publish.ExitCode == 0, publish.ToString());
            digests.Add(SampleProject.PushedDigest(publish));

            var config = await ConfigAsync($"{TestEnvironment.Registry}/{repository}:latest");
            Assert.Equal("2024-05-01T12:00:00Z", config["created"]!.GetValue<string>());
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        }
        Assert.Equal(digests[0], digests[1]);
    }
}
