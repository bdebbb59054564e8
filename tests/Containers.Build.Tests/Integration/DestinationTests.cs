using System.Net;
using System.Text.Json.Nodes;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// Archives, OCI layouts and local engines, each checked by a tool nobody here wrote: podman load and run,
/// skopeo (docker-archive:, oci-archive:, oci:), umoci unpack, and the OCI image-spec JSON schemas.
/// </summary>
public class DestinationTests
{
    private static string Base => $"ContainerBaseImage={TestEnvironment.AspNetBase}";

    [IntegrationFact]
    public async Task A_gzipped_docker_archive_with_every_tag_loads_into_podman_and_runs()
    {
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("archive");
        var archive = Path.Combine(sample.Root, "out", "image.tar.gz");
        var publish = await sample.PublishImageAsync(Base, $"ContainerRepository={repository}", $"ContainerArchiveOutputPath={archive}", "ContainerImageTags=1.0%3Blatest");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains($"to {archive} (docker-archive", publish.Output, StringComparison.Ordinal);

        var bytes = new byte[2];
        await using (var file = File.OpenRead(archive))
        {
            await file.ReadExactlyAsync(bytes);
        }
        Assert.Equal(new byte[] { 0x1f, 0x8b }, bytes);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(archive)!, "*.tmp"));

        var facts = JsonNode.Parse(await File.ReadAllTextAsync(archive + ".json"))!;
        Assert.Equal(SampleProject.ReportedDigest(publish), facts["manifestDigest"]!.GetValue<string>());
        Assert.Equal(["1.0", "latest"], facts["tags"]!.AsArray().Select(t => t!.GetValue<string>()));

        // skopeo reads docker-archives uncompressed only: gunzip it, which also proves it is a real gzip stream.
        var plain = Path.Combine(sample.Root, "plain.tar");
        var gunzip = await ProcessRunner.RunAsync("sh", ["-c", $"gzip -dc '{archive}' > '{plain}'"]);
        Assert.True(gunzip.ExitCode == 0, gunzip.ToString());
        var inspect = await TestEnvironment.SkopeoAsync("inspect", "--raw", $"docker-archive:{plain}");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        // A docker-archive has no manifest of its own (skopeo makes one up); the config is the image's.
        Assert.Equal(facts["configDigest"]!.GetValue<string>(), JsonNode.Parse(inspect.Output)!["config"]!["digest"]!.GetValue<string>());

        // podman 4 loads docker-archives uncompressed only (docker load takes the .tar.gz as it is).
        var load = await TestEnvironment.PodmanAsync("load", "-i", plain);
        try
        {
            Assert.True(load.ExitCode == 0, load.ToString());
            Assert.Contains($"localhost/{repository}:1.0", load.Output, StringComparison.Ordinal);
            Assert.Contains($"localhost/{repository}:latest", load.Output, StringComparison.Ordinal);
            await AssertRunsAsync($"localhost/{repository}:1.0");
        }
        finally
        {
            await TestEnvironment.PodmanAsync("rmi", "-f", $"localhost/{repository}:1.0", $"localhost/{repository}:latest");
        }
    }

    [IntegrationFact]
    public async Task An_oci_archive_and_an_oci_layout_read_by_skopeo_umoci_and_the_schemas()
    {
        using var sample = await SampleProject.CreateAsync();
        var layout = Path.Combine(sample.Root, "layout");
        var ociArchive = Path.Combine(sample.Root, "out", "app.oci.tar");

        var first = await sample.PublishImageAsync(Base, "ContainerRepository=first", "ContainerImageTag=one", $"ContainerOciLayoutPath={layout}", $"ContainerArchiveOutputPath={ociArchive}");
        Assert.True(first.ExitCode == 0, first.ToString());
        sample.ReplaceInProgram("Hello from Containers.Build!", "Hello from the second image!");
        var second = await sample.PublishImageAsync(Base, "ContainerRepository=second", "ContainerImageTag=two", $"ContainerOciLayoutPath={layout}");
        Assert.True(second.ExitCode == 0, second.ToString());

        // The second image joined the layout; the first is still there.
        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!;
        var images = index["manifests"]!.AsArray().Where(m => m!["artifactType"] is null).ToArray();
        Assert.Equal(["one", "two"], images.Select(m => m!["annotations"]!["org.opencontainers.image.ref.name"]!.GetValue<string>()));
        // Each image's SBOM and provenance are in the layout too, as referrers: artifact manifests whose subject is the image.
        var referrers = index["manifests"]!.AsArray().Where(m => m!["artifactType"] is not null)
            .Select(m => JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "blobs", "sha256", m!["digest"]!.GetValue<string>()[7..])))!)
            .ToArray();
        foreach (var image in images)
        {
            var subjectOf = referrers.Where(r => r["subject"]!["digest"]!.GetValue<string>() == image!["digest"]!.GetValue<string>()).ToArray();
            Assert.Equal(["application/spdx+json", "application/vnd.in-toto+json"], subjectOf.Select(r => r["artifactType"]!.GetValue<string>()).Order());
        }
        foreach (var tag in new[] { "one", "two" })
        {
            var inspect = await TestEnvironment.SkopeoAsync("inspect", $"oci:{layout}:{tag}");
            Assert.True(inspect.ExitCode == 0, inspect.ToString());
        }
        var archiveInspect = await TestEnvironment.SkopeoAsync("inspect", $"oci-archive:{ociArchive}:one");
        Assert.True(archiveInspect.ExitCode == 0, archiveInspect.ToString());
        Assert.Equal(SampleProject.ReportedDigest(first), JsonNode.Parse(archiveInspect.Output)!["Digest"]!.GetValue<string>());

        var schemas = await TestEnvironment.ValidateOciLayoutAsync(layout);
        Assert.True(schemas.ExitCode == 0, schemas.ToString());
        Assert.Contains("2 manifests checked, 4 referrers checked, 0 problems", schemas.Output, StringComparison.Ordinal);

        // The tag "two" moves to a third image: the referrers of the image it named leave the index with it.
        sample.ReplaceInProgram("Hello from the second image!", "Hello from the third image!");
        var third = await sample.PublishImageAsync(Base, "ContainerRepository=second", "ContainerImageTag=two", $"ContainerOciLayoutPath={layout}");
        Assert.True(third.ExitCode == 0, third.ToString());
        var moved = await TestEnvironment.SkopeoAsync("inspect", $"oci:{layout}:two");
        Assert.True(moved.ExitCode == 0, moved.ToString());
        Assert.Equal(SampleProject.ReportedDigest(third), JsonNode.Parse(moved.Output)!["Digest"]!.GetValue<string>());
        var afterMove = await TestEnvironment.ValidateOciLayoutAsync(layout);
        Assert.True(afterMove.ExitCode == 0, afterMove.ToString());
        Assert.Contains("2 manifests checked, 4 referrers checked, 0 problems", afterMove.Output, StringComparison.Ordinal);

        // umoci unpacks the layout: the app's files with the owners and modes they were written with.
        var bundle = Path.Combine(sample.Root, "bundle");
        var unpack = await ProcessRunner.RunAsync("umoci", ["unpack", "--image", $"{layout}:two", bundle]);
        Assert.True(unpack.ExitCode == 0, unpack.ToString());
        var stat = await ProcessRunner.RunAsync("stat", ["-c", "%a %u:%g %n",
            Path.Combine(bundle, "rootfs/app/WebApp.dll"), Path.Combine(bundle, "rootfs/app/WebApp"), Path.Combine(bundle, "rootfs/app")]);
        Assert.True(stat.ExitCode == 0, stat.ToString());
        Assert.Contains($"644 0:0 {bundle}/rootfs/app/WebApp.dll", stat.Output, StringComparison.Ordinal);
        Assert.Contains($"755 0:0 {bundle}/rootfs/app/WebApp\n", stat.Output, StringComparison.Ordinal);
        Assert.Contains($"755 0:0 {bundle}/rootfs/app\n", stat.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(bundle, "rootfs/usr/share/dotnet/dotnet")), "The base layers are unpacked too.");
    }

    [IntegrationFact]
    public async Task Podman_loads_an_oci_archive_under_its_full_name_as_it_loads_the_sdks()
    {
        using var sample = await SampleProject.CreateAsync();
        // No registry and a one-component name: docker.io/library/<name>, as docker save and the SDK's archive name it.
        var bare = "ociname-" + Guid.NewGuid().ToString("N")[..12];
        var archive = Path.Combine(sample.Root, "out", "bare.oci.tar");
        var publish = await sample.PublishImageAsync(Base, $"ContainerRepository={bare}", $"ContainerArchiveOutputPath={archive}");
        Assert.True(publish.ExitCode == 0, publish.ToString());

        // With a registry: registry/repository.
        var repository = TestEnvironment.UniqueRepository("ociname");
        var pushed = Path.Combine(sample.Root, "out", "pushed.oci.tar");
        var publishPushed = await sample.PublishImageAsync(Base, $"ContainerRegistry={TestEnvironment.Registry}", $"ContainerRepository={repository}", $"ContainerArchiveOutputPath={pushed}");
        Assert.True(publishPushed.ExitCode == 0, publishPushed.ToString());

        string[] names = [$"docker.io/library/{bare}:latest", $"{TestEnvironment.Registry}/{repository}:latest"];
        try
        {
            foreach (var (file, name) in new[] { (archive, names[0]), (pushed, names[1]) })
            {
                var load = await TestEnvironment.PodmanAsync("load", "-i", file);
                Assert.True(load.ExitCode == 0, load.ToString());
                Assert.Contains($"Loaded image: {name}", load.Output, StringComparison.Ordinal);
                var inspect = await TestEnvironment.PodmanAsync("image", "inspect", "--format", "{{.Id}}", name);
                Assert.True(inspect.ExitCode == 0, inspect.ToString());
            }
        }
        finally
        {
            await TestEnvironment.PodmanAsync(["rmi", "-f", .. names]);
        }
        // The line the build prints runs it under that name, with the web app's port mapped.
        Assert.Contains($"then run it with: podman run --rm -p 8080:8080 docker.io/library/{bare}:latest", publish.Output, StringComparison.Ordinal);
    }

    [IntegrationFact]
    public async Task Without_a_registry_the_image_is_loaded_into_podman_and_a_missing_docker_is_no_hang()
    {
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("local");
        var started = DateTime.UtcNow;
        var publish = await sample.PublishImageAsync(Base, $"ContainerRepository={repository}");
        try
        {
            Assert.True(publish.ExitCode == 0, publish.ToString());
            Assert.Contains($"Loaded localhost/{repository}:latest", publish.Output, StringComparison.Ordinal);
            var inspect = await TestEnvironment.PodmanAsync("image", "inspect", "--format", "{{.Id}}", $"localhost/{repository}:latest");
            Assert.True(inspect.ExitCode == 0, inspect.ToString());
            await AssertRunsAsync($"localhost/{repository}:latest");
        }
        finally
        {
            await TestEnvironment.PodmanAsync("rmi", "-f", $"localhost/{repository}:latest");
        }

        // The docker CLI is installed but no engine answers: asking for it is a coded error, quickly.
        started = DateTime.UtcNow;
        var docker = await sample.PublishImageAsync(Base, $"ContainerRepository={repository}", "LocalRegistry=Docker");
        Assert.True(docker.ExitCode != 0, docker.ToString());
        Assert.Contains("error CB3002", docker.Output, StringComparison.Ordinal);
        Assert.Contains("docker", docker.Output, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(90), "Probing docker must not hang.");
    }

    [IntegrationFact]
    public async Task With_no_engine_at_all_the_archive_is_written_and_the_user_told_how_to_load_it()
    {
        using var sample = await SampleProject.CreateAsync();
        // A PATH with dotnet and git but neither docker nor podman.
        var bin = Path.Combine(sample.Root, "bin-without-engines");
        Directory.CreateDirectory(bin);
        foreach (var tool in new[] { "dotnet", "git" })
        {
            var which = await ProcessRunner.RunAsync("which", [tool]);
            File.CreateSymbolicLink(Path.Combine(bin, tool), which.Output.Trim());
        }
        var repository = TestEnvironment.UniqueRepository("noengine");
        var publish = await sample.PublishImageAsync(new Dictionary<string, string?> { ["PATH"] = bin }, Base, $"ContainerRepository={repository}");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains("No container engine is usable", publish.Output, StringComparison.Ordinal);
        var archive = Path.Combine(sample.ProjectDirectory, "bin", "Release", "net10.0", repository.Replace('/', '-') + ".tar");
        Assert.Contains(archive, publish.Output, StringComparison.Ordinal);
        Assert.Contains("load -i", publish.Output, StringComparison.Ordinal);
        var inspect = await TestEnvironment.SkopeoAsync("inspect", $"docker-archive:{archive}");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
    }

    private static async Task AssertRunsAsync(string image)
    {
        await using var container = await RunningContainer.StartAsync(image);
        Assert.Equal("Hello from Containers.Build!", await container.GetOkAsync());
    }
}
