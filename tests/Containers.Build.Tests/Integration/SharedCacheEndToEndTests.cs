using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// The machine's cache (ContainersBuildSharedCache) for real: the native check lists the base's layers once per machine,
/// not once per project or per clean obj/. Each app carries zlib as a ContainerFile, a native library the check looks at
/// (needing only the C library, so it passes on the aspnet base); the registry is behind a proxy that sees every read.
/// </summary>
public class SharedCacheEndToEndTests
{
    [IntegrationFact]
    public async Task Another_project_on_the_same_base_lists_no_base_layer_once_the_machine_has()
    {
        using var machine = new TempDirectory("cb-machine-cache");
        var environment = new Dictionary<string, string?> { ["ContainersBuildSharedCache"] = machine.Path };
        using var first = await SampleProject.CreateAsync();
        first.AddNativeLibrary();
        using var second = await SampleProject.CreateAsync();
        second.AddNativeLibrary();
        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        var baseLayers = await TestEnvironment.AspNetLayerDigestsAsync();

        var published = await first.PublishImageAsync(environment, Properties(proxy, TestEnvironment.UniqueRepository("machine-a")));
        Assert.True(published.ExitCode == 0, published.ToString());
        // Listed for the check: every base layer read once, its list kept for the machine and not in the project.
        Assert.All(baseLayers, layer => Assert.Single(proxy.Seen, r => r.Method == "GET" && r.PathAndQuery.EndsWith("/blobs/" + layer, StringComparison.Ordinal)));
        Assert.Equal(baseLayers.Select(l => l["sha256:".Length..]).Order(), Directory.GetFiles(Path.Combine(machine.Path, "layer-files-2")).Select(Path.GetFileName).Order());
        Assert.False(Directory.Exists(Path.Combine(first.ProjectDirectory, "obj", "containers", "layer-files-2")));

        // Another app, its own clean obj/, a new repository (so no record of a check in the registry either): no base
        // layer is read, and the check still runs, clean, and is recorded in the image.
        proxy.Seen.Clear();
        var repository = TestEnvironment.UniqueRepository("machine-b");
        var other = await second.PublishImageAsync(environment, Properties(proxy, repository));
        Assert.True(other.ExitCode == 0, other.ToString());
        Assert.DoesNotContain(proxy.Seen, r => r.Method == "GET" && baseLayers.Any(layer => r.PathAndQuery.EndsWith("/blobs/" + layer, StringComparison.Ordinal)));
        Assert.DoesNotContain("CB4010", other.Output, StringComparison.Ordinal);
        var config = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--config", $"docker://{TestEnvironment.Registry}/{repository}:latest");
        Assert.True(config.ExitCode == 0, config.ToString());
        Assert.Contains("Containers.Build: native libraries checked, none missing; check key sha256:", config.Output, StringComparison.Ordinal);
    }

    [IntegrationFact]
    public async Task The_machine_cache_is_the_platforms_cache_folder_by_default_and_false_keeps_lists_in_the_project()
    {
        using var home = new TempDirectory("cb-xdg-cache");
        using var sample = await SampleProject.CreateAsync();
        sample.AddNativeLibrary();
        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        var repository = TestEnvironment.UniqueRepository("machine-default");

        // Not set: $XDG_CACHE_HOME/containers-build (an empty variable is an unset property).
        var byDefault = await sample.PublishImageAsync(new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = home.Path, ["ContainersBuildSharedCache"] = "" },
            [.. Properties(proxy, repository), "-v:d"]);
        Assert.True(byDefault.ExitCode == 0, byDefault.ToString());
        Assert.Equal(3, Directory.GetFiles(Path.Combine(home.Path, "containers-build", "layer-files-2")).Length);
        // The package's precompiled task assembly for this machine's runtime is the one MSBuild loaded.
        Assert.Contains($"tasks/net10.0/{RuntimeInformation.RuntimeIdentifier}/Containers.Build.Tasks.dll", byDefault.Output, StringComparison.Ordinal);
        // And -v:d says where the image step's time went.
        Assert.Matches(@"Image step \d+ ms, \d+\.\d MB allocated: layers planned \d+ ms, layers written or found \d+ ms, .*sent to the registry 127\.0\.0\.1:\d+ \d+ ms", byDefault.Output);

        // false: none; the project's store lists the base itself (read again, as a fresh runner must).
        sample.ForgetBuildState();
        proxy.Seen.Clear();
        var off = await sample.PublishImageAsync(new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = home.Path },
            [.. Properties(proxy, TestEnvironment.UniqueRepository("machine-off")), "ContainersBuildSharedCache=false"]);
        Assert.True(off.ExitCode == 0, off.ToString());
        Assert.Equal(3, Directory.GetFiles(Path.Combine(sample.ProjectDirectory, "obj", "containers", "layer-files-2")).Length);
        Assert.All(await TestEnvironment.AspNetLayerDigestsAsync(), layer => Assert.Single(proxy.Seen, r => r.Method == "GET" && r.PathAndQuery.EndsWith("/blobs/" + layer, StringComparison.Ordinal)));
    }

    private static string[] Properties(FaultProxy proxy, string repository)
        => [$"ContainerBaseImage={proxy.Address}/dotnet/aspnet:10.0", $"ContainerRegistry={proxy.Address}", $"ContainerRepository={repository}"];
}
