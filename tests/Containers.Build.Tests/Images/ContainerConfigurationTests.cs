using System.Text;
using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Tests.Images;

/// <summary>How the configuration surface lands in the image config: Entrypoint/Cmd, inferred ports, generated labels.</summary>
public class ContainerConfigurationTests
{
    private static readonly Digest ResolvedBaseDigest = Digest.Compute("the-index"u8);

    private static BaseImage CreateBase(string extraConfig = "", string reference = "mcr.microsoft.com/dotnet/aspnet:10.0")
    {
        var configJson = $$"""
            {"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",
             "config":{"Env":["PATH=/usr/bin","APP_UID=1654","ASPNETCORE_HTTP_PORTS=8080"],"Cmd":["bash"]{{extraConfig}}},
             "rootfs":{"type":"layers","diff_ids":[]},"history":[]}
            """;
        var config = ImageConfig.Parse(Encoding.UTF8.GetBytes(configJson));
        var manifest = ImageManifest.Create(ImageFormat.Oci, new Descriptor(ImageFormat.Oci.ConfigMediaType(), config.Digest, config.Bytes.Length), []);
        return new BaseImage(ImageReference.Parse(reference), manifest, config, ResolvedBaseDigest, []);
    }

    private static JsonNode Compose(ImageSettings settings, BaseImage? baseImage = null)
        => JsonNode.Parse(ImageBuilder.ComposeConfig(baseImage ?? CreateBase(), [], settings).Bytes)!;

    private static string[]? Strings(JsonNode? node) => node?.AsArray().Select(n => n!.GetValue<string>()).ToArray();

    private static ContainerCommand Command(AppCommandInstruction instruction, string[]? app = null, string[]? args = null, string[]? defaults = null)
        => new(app ?? [], args ?? [], defaults ?? [], instruction);

    public static TheoryData<AppCommandInstruction, string[], string[], string[], string, string[]?, string[]?> Commands => new()
    {
        // instruction, app command, app args, default args, base extra config, expected Entrypoint, expected Cmd
        { AppCommandInstruction.Entrypoint, ["dotnet", "/app/App.dll"], [], [], "", ["dotnet", "/app/App.dll"], null },
        { AppCommandInstruction.Entrypoint, ["/app/App"], ["--urls", "http://*:80"], ["--verbose"], "", ["/app/App", "--urls", "http://*:80"], ["--verbose"] },
        { AppCommandInstruction.Entrypoint, ["/app/App"], [], [], ",\"Entrypoint\":[\"/init\"]", ["/app/App"], null },
        { AppCommandInstruction.DefaultArgs, ["dotnet", "/app/App.dll"], ["serve"], ["--port", "80"], ",\"Entrypoint\":[\"/tini\",\"--\"]", ["/tini", "--"], ["dotnet", "/app/App.dll", "serve", "--port", "80"] },
        { AppCommandInstruction.DefaultArgs, ["dotnet", "/app/App.dll"], [], [], ",\"Entrypoint\":[\"dotnet\"]", null, ["dotnet", "/app/App.dll"] },
        { AppCommandInstruction.DefaultArgs, ["/app/App"], [], [], ",\"Entrypoint\":[\"/usr/bin/dotnet\"]", null, ["/app/App"] },
        { AppCommandInstruction.None, [], [], [], ",\"Entrypoint\":[\"/docker-entrypoint.sh\"]", ["/docker-entrypoint.sh"], ["bash"] },
        { AppCommandInstruction.None, [], [], ["run", "--fast"], ",\"Entrypoint\":[\"/docker-entrypoint.sh\"]", ["/docker-entrypoint.sh"], ["run", "--fast"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void App_command_instruction_places_command_and_arguments_as_the_sdk_does(
        AppCommandInstruction instruction, string[] app, string[] args, string[] defaults, string baseConfig, string[]? entrypoint, string[]? cmd)
    {
        var config = Compose(new ImageSettings { Command = Command(instruction, app, args, defaults) }, CreateBase(baseConfig))["config"]!;
        Assert.Equal(entrypoint, Strings(config["Entrypoint"]));
        Assert.Equal(cmd, Strings(config["Cmd"]));
    }

    [Theory]
    [InlineData("ASPNETCORE_URLS=http://+:5000;https://*:5001", new[] { "5000/tcp", "5001/tcp" })]
    [InlineData("ASPNETCORE_URLS=http://[::]:7000/base", new[] { "7000/tcp" })]
    [InlineData("ASPNETCORE_URLS=http://localhost", new string[0])]
    [InlineData("ASPNETCORE_HTTPS_PORTS=8443", new[] { "8080/tcp", "8443/tcp" })]
    [InlineData("ASPNETCORE_HTTP_PORTS=80;8081", new[] { "80/tcp", "8081/tcp" })]
    public void Ports_are_inferred_from_the_final_environment_and_urls_win(string variable, string[] ports)
    {
        var (name, value) = (variable[..variable.IndexOf('=')], variable[(variable.IndexOf('=') + 1)..]);
        var config = Compose(new ImageSettings { Environment = [KeyValuePair.Create(name, value)] })["config"]!;
        Assert.Equal(ports, config["ExposedPorts"]?.AsObject().Select(p => p.Key).ToArray() ?? []);
    }

    [Fact]
    public void Generated_labels_use_the_image_time_the_canonical_base_name_and_the_resolved_digest()
    {
        var created = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var json = Compose(new ImageSettings { Created = created, GeneratedLabels = LabelGeneration.All });
        var labels = json["config"]!["Labels"]!;

        Assert.Equal(json["created"]!.GetValue<string>(), labels["org.opencontainers.image.created"]!.GetValue<string>());
        Assert.Equal("2023-11-14T22:13:20Z", labels["org.opencontainers.image.created"]!.GetValue<string>());
        Assert.Equal("2023-11-14T22:13:20Z", labels["org.opencontainers.artifact.created"]!.GetValue<string>());
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", labels["org.opencontainers.image.base.name"]!.GetValue<string>());
        Assert.Equal(ResolvedBaseDigest.ToString(), labels["org.opencontainers.image.base.digest"]!.GetValue<string>());
    }

    [Fact]
    public void Docker_hub_bases_are_named_as_people_write_them()
    {
        var labels = Compose(new ImageSettings { GeneratedLabels = LabelGeneration.All }, CreateBase(reference: "ubuntu:24.04"))["config"]!["Labels"]!;
        Assert.Equal("docker.io/library/ubuntu:24.04", labels["org.opencontainers.image.base.name"]!.GetValue<string>());
    }

    [Fact]
    public void Each_generated_label_has_its_switch_and_a_project_label_wins()
    {
        var json = Compose(new ImageSettings
        {
            GeneratedLabels = new LabelGeneration(Created: false, BaseName: true, BaseDigest: false),
            Labels = [KeyValuePair.Create("org.opencontainers.image.base.name", "my/base")],
        });
        var labels = json["config"]!["Labels"]!.AsObject();
        Assert.Equal(["org.opencontainers.image.base.name"], labels.Select(l => l.Key));
        Assert.Equal("my/base", labels["org.opencontainers.image.base.name"]!.GetValue<string>());

        Assert.Null(Compose(new ImageSettings())["config"]!["Labels"]);
    }

    [Fact]
    public void The_same_inputs_give_the_same_config_bytes()
    {
        var settings = new ImageSettings { Created = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000), GeneratedLabels = LabelGeneration.All };
        Assert.Equal(ImageBuilder.ComposeConfig(CreateBase(), [], settings).Digest, ImageBuilder.ComposeConfig(CreateBase(), [], settings).Digest);
    }
}
