using System.Text.Json.Nodes;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// What a Dockerfile says about how the app runs, set in the project and on the command line: a HEALTHCHECK that
/// podman reads and runs, volumes and a stop signal in the config, and item lists given as properties that beat the
/// project's items.
/// </summary>
public class RunSettingsEndToEndTests
{
    [IntegrationFact]
    public async Task A_health_check_set_in_the_project_is_run_by_podman_and_command_line_lists_beat_project_items()
    {
        using var sample = await SampleProject.CreateAsync();
        // bash's /dev/tcp: the base has no curl. The app listens on the port the test gives it. (No backslashes: on
        // Linux MSBuild turns '\' in an item's Include into '/'; a command that needs them is the shell-form property.)
        File.WriteAllText(Path.Combine(sample.Root, "Directory.Build.targets"), """
            <Project>
              <PropertyGroup>
                <ContainerHealthCheckInterval>5s</ContainerHealthCheckInterval>
                <ContainerHealthCheckTimeout>3s</ContainerHealthCheckTimeout>
                <ContainerHealthCheckStartPeriod>1s</ContainerHealthCheckStartPeriod>
                <ContainerHealthCheckRetries>2</ContainerHealthCheckRetries>
                <ContainerStopSignal>SIGINT</ContainerStopSignal>
              </PropertyGroup>
              <ItemGroup>
                <ContainerHealthCheckCommand Include="bash" />
                <ContainerHealthCheckCommand Include="-c" />
                <ContainerHealthCheckCommand Include="exec 3&lt;&gt;/dev/tcp/127.0.0.1/$ASPNETCORE_HTTP_PORTS" />
                <ContainerVolume Include="/data" />
                <ContainerEnvironmentVariable Include="A" Value="from the project" />
                <ContainerEnvironmentVariable Include="KEEP" Value="project" />
                <ContainerPort Include="8080" Type="udp" />
              </ItemGroup>
            </Project>
            """);
        var repository = TestEnvironment.UniqueRepository("runsettings");
        // As a shell passes -p:ContainerEnvironmentVariables='"A=1;B=x=y;C=semi%3Bcolon"': the quotes keep the ';' in one property.
        var publish = await sample.PublishImageAsync($"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRegistry={TestEnvironment.Registry}",
            $"ContainerRepository={repository}", "ContainerEnvironmentVariables=\"A=1;B=x=y;C=semi%3Bcolon\"", "ContainerPorts=\"8080;9000/udp\"",
            "ContainerVolumes=/logs");
        Assert.True(publish.ExitCode == 0, publish.ToString());

        var image = $"{TestEnvironment.Registry}/{repository}:latest";
        var raw = JsonNode.Parse((await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{image}")).Output)!;
        // A health check makes a Docker-format image (the aspnet base is OCI): podman reads HEALTHCHECK only there.
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", raw["mediaType"]!.GetValue<string>());
        // --raw: without it skopeo gives the config as an OCI config, which has no Healthcheck.
        var config = JsonNode.Parse((await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--config", "--raw", $"docker://{image}")).Output)!["config"]!;
        var healthcheck = config["Healthcheck"]!;
        Assert.Equal("CMD", healthcheck["Test"]![0]!.GetValue<string>());
        Assert.Equal(5_000_000_000L, healthcheck["Interval"]!.GetValue<long>());
        Assert.Equal(2, healthcheck["Retries"]!.GetValue<int>());
        Assert.Equal(["/data", "/logs"], config["Volumes"]!.AsObject().Select(v => v.Key));
        Assert.Equal("SIGINT", config["StopSignal"]!.GetValue<string>());
        var environment = config["Env"]!.AsArray().Select(e => e!.GetValue<string>()).ToArray();
        Assert.Contains("A=1", environment);
        Assert.Contains("B=x=y", environment);
        Assert.Contains("C=semi;colon", environment);
        Assert.Contains("KEEP=project", environment);
        Assert.DoesNotContain("A=from the project", environment);
        Assert.Equal(["8080/tcp", "9000/udp"], config["ExposedPorts"]!.AsObject().Select(p => p.Key));

        await using var running = await RunningContainer.StartAsync(image);
        Assert.Equal("Hello from Containers.Build!", await running.GetOkAsync());
        var inspected = JsonNode.Parse((await TestEnvironment.PodmanAsync("inspect", "--format", "{{json .Config.Healthcheck}}", running.Name)).Output)!;
        Assert.Equal(5_000_000_000L, inspected["Interval"]!.GetValue<long>());
        var check = await TestEnvironment.PodmanAsync("healthcheck", "run", running.Name);
        Assert.True(check.ExitCode == 0, check.ToString());
    }
}
