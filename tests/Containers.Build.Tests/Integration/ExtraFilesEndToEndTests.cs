using System.Text.Json.Nodes;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// ContainerFile and ContainerDirectory items for real: the sample published with them to an OCI layout (unpacked by
/// umoci: the asked modes and owners) and to the registry (run under podman: the non-root app writes into the
/// ContainerDirectory and nowhere under /app).
/// </summary>
public class ExtraFilesEndToEndTests
{
    [IntegrationFact]
    public async Task Files_and_a_writable_directory_land_with_their_modes_and_owners_and_the_app_can_write_there()
    {
        using var sample = await SampleProject.CreateAsync();
        Directory.CreateDirectory(Path.Combine(sample.Root, "container", "certs", "internal"));
        File.WriteAllText(Path.Combine(sample.Root, "container", "app.json"), "{\"shop\":\"contoso\"}");
        File.WriteAllText(Path.Combine(sample.Root, "container", "certs", "ca.pem"), "CA");
        File.WriteAllText(Path.Combine(sample.Root, "container", "certs", "internal", "root.pem"), "ROOT");
        var script = Path.Combine(sample.Root, "container", "certs", "rehash.sh");
        File.WriteAllText(script, "#!/bin/sh\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.CreateSymbolicLink(Path.Combine(sample.Root, "container", "certs", "current.pem"), "ca.pem");
        File.WriteAllText(Path.Combine(sample.Root, "Directory.Build.targets"), """
            <Project>
              <ItemGroup>
                <ContainerFile Include="$(MSBuildThisFileDirectory)container/app.json" Destination="/etc/app/app.json" Mode="0640" Owner="app" />
                <ContainerFile Include="$(MSBuildThisFileDirectory)container/certs/**" Destination="/etc/app/certs/" />
                <ContainerDirectory Include="/data" Mode="0755" Owner="app" />
              </ItemGroup>
            </Project>
            """);
        var layout = Path.Combine(sample.Root, "layout");
        var repository = TestEnvironment.UniqueRepository("extrafiles");
        var publish = await sample.PublishImageAsync($"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRegistry={TestEnvironment.Registry}",
            $"ContainerRepository={repository}", "ContainerImageTag=files", $"ContainerOciLayoutPath={layout}");
        Assert.True(publish.ExitCode == 0, publish.ToString());

        // umoci: exactly the asked modes and owners (Owner=app is the base's APP_UID, 1654); /etc keeps the base's.
        var bundle = Path.Combine(sample.Root, "bundle");
        var unpack = await ProcessRunner.RunAsync("umoci", ["unpack", "--image", $"{layout}:files", bundle]);
        Assert.True(unpack.ExitCode == 0, unpack.ToString());
        var root = Path.Combine(bundle, "rootfs");
        var stat = await ProcessRunner.RunAsync("stat", ["-c", "%a %u:%g %F %n",
            $"{root}/etc/app/app.json", $"{root}/etc/app/certs/ca.pem", $"{root}/etc/app/certs/internal/root.pem", $"{root}/etc/app/certs/rehash.sh",
            $"{root}/etc/app/certs/current.pem", $"{root}/data", $"{root}/etc"]);
        Assert.True(stat.ExitCode == 0, stat.ToString());
        Assert.Contains($"640 1654:1654 regular file {root}/etc/app/app.json\n", stat.Output, StringComparison.Ordinal);
        Assert.Contains($"644 0:0 regular file {root}/etc/app/certs/ca.pem\n", stat.Output, StringComparison.Ordinal);
        Assert.Contains($"644 0:0 regular file {root}/etc/app/certs/internal/root.pem\n", stat.Output, StringComparison.Ordinal);
        Assert.Contains($"755 0:0 regular file {root}/etc/app/certs/rehash.sh\n", stat.Output, StringComparison.Ordinal);
        Assert.Contains($"symbolic link {root}/etc/app/certs/current.pem\n", stat.Output, StringComparison.Ordinal);
        Assert.Contains($"755 1654:1654 directory {root}/data\n", stat.Output, StringComparison.Ordinal);
        Assert.Contains($"755 0:0 directory {root}/etc\n", stat.Output, StringComparison.Ordinal);
        Assert.Equal("ca.pem", new FileInfo($"{root}/etc/app/certs/current.pem").LinkTarget);
        Assert.Equal("{\"shop\":\"contoso\"}", File.ReadAllText($"{root}/etc/app/app.json"));

        // The items' layer is below the app's: the base's layers, then it, then the app's.
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        var manifestDigest = index["manifests"]!.AsArray().Single(m => m!["annotations"]?["org.opencontainers.image.ref.name"]?.GetValue<string>() == "files")!["digest"]!.GetValue<string>();
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "blobs", "sha256", manifestDigest["sha256:".Length..])))!;
        var configDigest = manifest["config"]!["digest"]!.GetValue<string>();
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "blobs", "sha256", configDigest["sha256:".Length..])))!;
        var comments = config["history"]!.AsArray().Where(h => h!["empty_layer"]?.GetValue<bool>() != true).Select(h => h!["comment"]?.GetValue<string>() ?? "").ToArray();
        var baseLayers = await TestEnvironment.AspNetBaseLayerCountAsync();
        // The layer's input key ends its comment, for a fresh runner to find it in the registry by.
        Assert.Matches(@"^Containers\.Build: ContainerFile and ContainerDirectory items \(5 files, 1 directory\); input key sha256:[0-9a-f]{64}$", comments[baseLayers]);
        Assert.All(comments.Skip(baseLayers + 1), c => Assert.DoesNotContain("ContainerFile", c, StringComparison.Ordinal));

        // podman: the app runs as 1654, writes into /data, and cannot write under /app.
        await using var running = await RunningContainer.StartAsync($"{TestEnvironment.Registry}/{repository}:files");
        Assert.Equal("Hello from Containers.Build!", await running.GetOkAsync());
        Assert.Equal("1654", (await running.ExecAsync("id", "-u")).Output.Trim());
        var write = await running.ExecAsync("sh", "-c", "touch /data/x && ! touch /app/y 2>/dev/null && cat /etc/app/app.json");
        Assert.True(write.ExitCode == 0, write.ToString());
        Assert.Equal("{\"shop\":\"contoso\"}", write.Output.Trim());
    }

    [IntegrationFact]
    public async Task A_missing_source_and_a_destination_the_app_publishes_are_coded_errors()
    {
        using var sample = await SampleProject.CreateAsync();
        File.WriteAllText(Path.Combine(sample.Root, "prod.json"), "{}");
        var targets = Path.Combine(sample.Root, "Directory.Build.targets");
        File.WriteAllText(targets, """
            <Project>
              <ItemGroup>
                <ContainerFile Include="$(MSBuildThisFileDirectory)gone.json" Destination="/etc/app/gone.json" />
              </ItemGroup>
            </Project>
            """);
        var layout = Path.Combine(sample.Root, "layout");
        var missing = await sample.PublishImageAsync($"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerOciLayoutPath={layout}");
        Assert.True(missing.ExitCode != 0, "The publish should have failed:\n" + missing);
        Assert.Contains("error CB1035: The ContainerFile '", missing.Output, StringComparison.Ordinal);
        Assert.Contains("gone.json', which does not exist.", missing.Output, StringComparison.Ordinal);

        File.WriteAllText(targets, """
            <Project>
              <ItemGroup>
                <ContainerFile Include="$(MSBuildThisFileDirectory)prod.json" Destination="/app/WebApp.dll" />
              </ItemGroup>
            </Project>
            """);
        var collision = await sample.PublishImageAsync($"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerOciLayoutPath={layout}");
        Assert.True(collision.ExitCode != 0, "The publish should have failed:\n" + collision);
        Assert.Contains("error CB1034: The ContainerFile '", collision.Output, StringComparison.Ordinal);
        Assert.Contains("goes to '/app/WebApp.dll', which the publish output also has: 'WebApp.dll' in '", collision.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(layout, "index.json")), "Nothing may be written.");
    }
}
