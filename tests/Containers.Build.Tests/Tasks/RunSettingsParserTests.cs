using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Tasks;

/// <summary>HEALTHCHECK, volumes and the stop signal: parsed, checked with their codes, and the format that makes a health check run.</summary>
public class RunSettingsParserTests : IDisposable
{
    private readonly TempDirectory _publish = new("cb-run-settings");

    public void Dispose() => _publish.Dispose();

    private ImageRequestParser.Inputs Valid => new()
    {
        BaseImage = "127.0.0.1:5000/dotnet/aspnet:10.0",
        Registry = "127.0.0.1:5000",
        AssemblyName = "WebApp",
        PublishDirectory = _publish.Path,
        AppCommand = ["dotnet", "/app/WebApp.dll"],
    };

    private static (string Code, string Message) Error(ImageRequestParser.Inputs inputs)
    {
        var e = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.CheckSettings(inputs, ["linux-x64"], false, _ => { }));
        return (e.Code, e.Message);
    }

    [Fact]
    public void The_exec_form_with_options_makes_a_docker_format_image_so_that_engines_run_it()
    {
        var warnings = new List<(string Code, string Message)>();
        var request = ImageRequestParser.Parse(Valid with
        {
            HealthCheckCommand = ["curl", "-f", "http://localhost:8080/healthz"],
            HealthCheckInterval = "1m30s",
            HealthCheckTimeout = "1.5s",
            HealthCheckStartPeriod = "500ms",
            HealthCheckRetries = "5",
        }, _ => { }, (code, message) => warnings.Add((code, message)));

        var check = request.Settings.HealthCheck!;
        Assert.Equal(["CMD", "curl", "-f", "http://localhost:8080/healthz"], check.Test);
        Assert.Equal(TimeSpan.FromSeconds(90), check.Interval);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), check.Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), check.StartPeriod);
        Assert.Equal(5, check.Retries);
        Assert.Equal(ImageFormat.Docker, request.Settings.Format);
        Assert.Empty(warnings);
    }

    [Fact]
    public void The_shell_form_and_none()
    {
        Assert.Equal(["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"],
            ImageRequestParser.Parse(Valid with { HealthCheckShellCommand = "curl -f http://localhost:8080/ || exit 1" }, _ => { }).Settings.HealthCheck!.Test);
        var none = ImageRequestParser.Parse(Valid with { HealthCheck = "None" }, _ => { }).Settings;
        Assert.True(none.HealthCheck!.IsDisabled);
        Assert.Equal(ImageFormat.Docker, none.Format);
        Assert.Null(ImageRequestParser.Parse(Valid, _ => { }).Settings.HealthCheck);
    }

    [Theory]
    [InlineData("OCI", null)]
    [InlineData(null, "layout")]
    public void An_oci_image_keeps_the_check_and_warns_that_engines_ignore_it(string? format, string? layout)
    {
        var warnings = new List<(string Code, string Message)>();
        var request = ImageRequestParser.Parse(Valid with
        {
            HealthCheckShellCommand = "true",
            ImageFormat = format,
            OciLayoutPath = layout is null ? null : _publish.Combine(layout),
        }, _ => { }, (code, message) => warnings.Add((code, message)));

        Assert.Equal(ImageFormat.Oci, request.Settings.Format);
        var (code, message) = Assert.Single(warnings);
        Assert.Equal(DiagnosticCodes.HealthCheckIgnoredInOci, code);
        Assert.Contains("ContainerImageFormat=Docker", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30", "ContainerHealthCheckInterval '30' is not a duration")]
    [InlineData("0s", "shorter than 1ms")]
    [InlineData("1x", "is not a duration")]
    [InlineData("5s ", null)]
    [InlineData("99999999999999999999999999999h", "longer than a duration can be")]
    [InlineData("3000000h", "longer than a duration can be")]
    public void Durations_are_numbers_with_units(string interval, string? error)
    {
        var inputs = Valid with { HealthCheckShellCommand = "true", HealthCheckInterval = interval };
        if (error is null)
        {
            ImageRequestParser.CheckSettings(inputs, ["linux-x64"], false, _ => { });
            return;
        }
        var (code, message) = Error(inputs);
        Assert.Equal(DiagnosticCodes.HealthCheckInvalid, code);
        Assert.Contains(error, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Contradictions_are_CB1037_naming_what_to_remove()
    {
        Assert.Contains("Keep one", Error(Valid with { HealthCheckShellCommand = "true", HealthCheckCommand = ["true"] }).Message, StringComparison.Ordinal);
        Assert.Contains("ContainerHealthCheckCommand, ContainerHealthCheckRetries are set too", Error(Valid with { HealthCheck = "none", HealthCheckShellCommand = "true", HealthCheckRetries = "3" }).Message, StringComparison.Ordinal);
        Assert.Contains("ContainerHealthCheckTimeout is set but no ContainerHealthCheckCommand", Error(Valid with { HealthCheckTimeout = "3s" }).Message, StringComparison.Ordinal);
        Assert.Contains("is not a value it takes", Error(Valid with { HealthCheck = "off" }).Message, StringComparison.Ordinal);
        Assert.Equal(DiagnosticCodes.HealthCheckInvalid, Error(Valid with { HealthCheckShellCommand = "true", HealthCheckRetries = "0" }).Code);
    }

    [Fact]
    public void Volumes_are_absolute_paths_each_once_and_the_stop_signal_a_linux_signal()
    {
        var settings = ImageRequestParser.Parse(Valid with { Volumes = ["/data", "/data/", "/var/log/app"], StopSignal = "SIGINT" }, _ => { }).Settings;
        Assert.Equal(["/data", "/var/log/app"], settings.Volumes);
        Assert.Equal("SIGINT", settings.StopSignal);
        Assert.Null(settings.HealthCheck);
        Assert.Null(settings.Format);

        Assert.Equal(DiagnosticCodes.VolumeInvalid, Error(Valid with { Volumes = ["data"] }).Code);
        Assert.Equal(DiagnosticCodes.VolumeInvalid, Error(Valid with { Volumes = ["/data/../etc"] }).Code);
        foreach (var valid in new[] { "term", "SIGQUIT", "15", "SIGRTMIN+3", "RTMAX-1" })
        {
            Assert.Equal(valid, ImageRequestParser.Parse(Valid with { StopSignal = valid }, _ => { }).Settings.StopSignal);
        }
        foreach (var invalid in new[] { "SIGFOO", "0", "65", "SIGRTMIN+16" })
        {
            Assert.Equal(DiagnosticCodes.StopSignalInvalid, Error(Valid with { StopSignal = invalid }).Code);
        }
    }

    [Fact]
    public void The_config_gets_the_check_in_nanoseconds_the_volumes_merged_with_the_base_s_and_the_stop_signal()
    {
        var config = ImageConfig.Parse("""
            {"architecture":"amd64","os":"linux","config":{"Volumes":{"/base":{}},"Healthcheck":{"Test":["CMD","old"],"Retries":9}},"rootfs":{"type":"layers","diff_ids":[]}}
            """u8.ToArray());
        var manifest = ImageManifest.Create(ImageFormat.Docker, new Descriptor(MediaTypes.DockerConfig, config.Digest, config.Bytes.Length), []);
        var baseImage = new BaseImage(null, manifest, config, manifest.Digest, []) { SourceName = "oci:/base" };
        var settings = new ImageSettings
        {
            HealthCheck = new HealthCheck(["CMD-SHELL", "true"], Interval: TimeSpan.FromSeconds(30), StartPeriod: TimeSpan.FromMilliseconds(1.5)),
            Volumes = ["/data"],
            StopSignal = "SIGINT",
        };

        var container = JsonNode.Parse(ImageBuilder.ComposeConfig(baseImage, [], settings).Bytes)!["config"]!;

        Assert.Equal("""{"Test":["CMD-SHELL","true"],"Interval":30000000000,"StartPeriod":1500000}""", container["Healthcheck"]!.ToJsonString());
        Assert.Equal(["/base", "/data"], container["Volumes"]!.AsObject().Select(v => v.Key));
        Assert.Equal("SIGINT", container["StopSignal"]!.GetValue<string>());
    }
}
