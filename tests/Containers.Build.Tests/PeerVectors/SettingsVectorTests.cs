using System.Text.Json.Nodes;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;
using static Containers.Build.Tests.PeerVectors.PeerVectorData;

namespace Containers.Build.Tests.PeerVectors;

/// <summary>
/// The .NET SDK's container settings tests (ContainerHelpersTests, ParseContainerPropertiesTests,
/// CreateNewImageTests, SourceDateEpochParserTests, RegistryTests, AuthHandshakeMessageHandlerTests), run
/// through our settings parser: repository names, tags, ports, environment variable names, SOURCE_DATE_EPOCH,
/// the start command, insecure registries and credentials from the environment.
/// </summary>
public class SettingsVectorTests : IDisposable
{
    private readonly TempDirectory _publish = new("cb-peer-vectors");

    public void Dispose() => _publish.Dispose();

    public static TheoryData<string> Repositories => Ids(DotnetSdk, "repo-from-assembly", "repo-property");
    public static TheoryData<string> Tags => Ids(DotnetSdk, "tag-property", "tags-property", "tag-and-tags");
    public static TheoryData<string> Ports => Ids(DotnetSdk, "port");
    public static TheoryData<string> EnvironmentNames => Ids(DotnetSdk, "envname");
    public static TheoryData<string> SourceDates => Ids(DotnetSdk, "sourcedate");
    public static TheoryData<string> Commands => Ids(DotnetSdk, "entrypoint");

    /// <summary>The SDK's cases with its older ContainerEntrypoint / ContainerEntrypointArgs items.</summary>
    public static TheoryData<string> LegacyEntrypointCommands
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var vector in Vectors.Where(v => v.Set == DotnetSdk && v.Row?["input"] is JsonObject input
                && (input.ContainsKey("legacyEntrypoint") || input.ContainsKey("legacyEntrypointArgs"))))
            {
                data.Add(vector.Id);
            }
            return data;
        }
    }
    public static TheoryData<string> InsecureRegistries => Ids(DotnetSdk, "insecure");
    public static TheoryData<string> EnvironmentCredentials => Ids(DotnetSdk, "envcred");

    private static readonly DateTimeOffset Fallback = new(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);

    private ImageRequestParser.Inputs Valid => new()
    {
        BaseImage = "mcr.microsoft.com/dotnet/runtime:10.0",
        Registry = "registry.example.com",
        AssemblyName = "App",
        PublishDirectory = _publish.Path,
        AppCommand = ["dotnet", "/app/App.dll"],
        FallbackSourceDate = Fallback,
    };

    private static PublishRequestView Parse(ImageRequestParser.Inputs inputs)
    {
        var request = ImageRequestParser.Parse(inputs, _ => { });
        return new PublishRequestView(request.Names.Repository, request.Names.Tags, request.Settings);
    }

    private sealed record PublishRequestView(string Repository, IReadOnlyList<string> Tags, Containers.Build.Images.ImageSettings Settings);

    [Theory]
    [MemberData(nameof(Repositories))]
    public void Sdk_repository_name_is_derived_as_we_do(string id)
    {
        var vector = Get(DotnetSdk, id);
        var inputs = vector.Kind == "repo-property"
            ? Valid with { Repository = vector.Input }
            : Valid with { AssemblyName = vector.Input };
        Check(vector, OkValueOrErr(() => Parse(inputs).Repository));
    }

    [Theory]
    [MemberData(nameof(Tags))]
    public void Sdk_tags_are_read_as_we_do(string id)
    {
        var vector = Get(DotnetSdk, id);
        var inputs = vector.Kind switch
        {
            "tag-property" => Valid with { ImageTag = vector.Input },
            "tags-property" => Valid with { ImageTags = vector.Input },
            _ => Valid with { ImageTag = (string?)vector.Row!["input"]!["tag"], ImageTags = (string?)vector.Row!["input"]!["tags"] },
        };
        Check(vector, OkValueOrErr(() => string.Join(",", Parse(inputs).Tags)));
    }

    [Theory]
    [MemberData(nameof(Ports))]
    public void Sdk_port_is_read_as_we_do(string id)
    {
        var vector = Get(DotnetSdk, id);
        Check(vector, OkValueOrErr(() =>
        {
            var port = Assert.Single(Parse(Valid with { Ports = [(vector.Input, null)] }).Settings.Ports);
            return $"{port.Number}/{port.Protocol}";
        }));
    }

    [Theory]
    [MemberData(nameof(EnvironmentNames))]
    public void Sdk_environment_variable_name_is_accepted_as_we_do(string id)
    {
        var vector = Get(DotnetSdk, id);
        Check(vector, OkOrErr(() => Parse(Valid with { Environment = [new(vector.Input, "value")] }).Settings.Environment.Count == 1));
    }

    /// <summary>'ts &lt;seconds&gt;' when the value is used, 'unset' when the fallback is, 'err' when the build stops.</summary>
    [Theory]
    [MemberData(nameof(SourceDates))]
    public void Sdk_source_date_epoch_is_read_as_we_do(string id)
    {
        var vector = Get(DotnetSdk, id);
        var value = (string?)vector.Row!["input"];
        string ours;
        try
        {
            var created = Parse(Valid with { SourceDateEpoch = value }).Settings.Created;
            ours = created == Fallback ? "unset" : $"ts {created.ToUnixTimeSeconds()}";
            Assert.Equal(TimeSpan.Zero, created.Offset);
        }
        catch (ContainersBuildException e)
        {
            Assert.Equal(DiagnosticCodes.SourceDateEpochInvalid, e.Code);
            ours = "err";
        }
        Check(vector, ours);
    }

    /// <summary>The Entrypoint and Cmd of the new image, from the SDK's CreateNewImageTests rows (a base with no Cmd).</summary>
    [Theory]
    [MemberData(nameof(Commands))]
    public void Sdk_entrypoint_and_cmd_are_resolved_as_we_do(string id) => CheckCommand(Get(DotnetSdk, id));

    /// <summary>The same, for the rows with the SDK's older ContainerEntrypoint / ContainerEntrypointArgs items.</summary>
    [Theory]
    [MemberData(nameof(LegacyEntrypointCommands))]
    public void Sdk_legacy_entrypoint_items_are_resolved_as_the_sdk_does(string id) => CheckCommand(Get(DotnetSdk, id));

    private void CheckCommand(PeerVector vector)
    {
        var input = (JsonObject)vector.Row!["input"]!;
        static string[] List(JsonNode? node) => node is JsonArray a ? a.Select(n => (string)n!).ToArray() : [];
        var inputs = Valid with
        {
            AppCommand = List(input["appCommand"]),
            AppCommandArgs = List(input["appCommandArgs"]),
            DefaultArgs = List(input["defaultArgs"]),
            AppCommandInstruction = (string?)input["instruction"],
            Entrypoint = List(input["legacyEntrypoint"]),
            EntrypointArgs = List(input["legacyEntrypointArgs"]),
        };
        string ours;
        try
        {
            var command = ImageRequestParser.ParseCommand(inputs);
            var baseEntrypoint = input["baseEntrypoint"] is JsonArray ? List(input["baseEntrypoint"]) : null;
            var (entrypoint, cmd) = command.Resolve(baseEntrypoint, null);
            ours = vector.Expect is "ok" ? "ok" : new JsonObject
            {
                ["entrypoint"] = entrypoint is null ? null : new JsonArray(entrypoint.Select(e => (JsonNode)JsonValue.Create(e)).ToArray()),
                ["cmd"] = cmd is null ? null : new JsonArray(cmd.Select(e => (JsonNode)JsonValue.Create(e)).ToArray()),
            }.ToJsonString();
        }
        catch (ContainersBuildException)
        {
            ours = "err";
        }
        Check(vector, ours is "ok" or "err" ? ours : JsonNode.Parse(ours)!.ToJsonString());
    }

    /// <summary>'true' when we may speak plain http to the registry or skip its certificate check.</summary>
    [Theory]
    [MemberData(nameof(InsecureRegistries))]
    public void Sdk_insecure_registry_is_insecure_for_us(string id)
    {
        var vector = Get(DotnetSdk, id);
        var input = (JsonObject)vector.Row!["input"]!;
        var variable = (string?)input["DOTNET_CONTAINER_INSECURE_REGISTRIES"];
        using var factory = new RegistryClientFactory(getEnvironmentVariable: name => name == "DOTNET_CONTAINER_INSECURE_REGISTRIES" ? variable : null);
        var registry = RegistryHost.Parse((string)input["registry"]!);
        Check(vector, factory.MayUsePlainHttp(registry) ? "true" : "false");
    }

    [Theory]
    [MemberData(nameof(EnvironmentCredentials))]
    public void Sdk_credential_variables_are_read_as_we_do(string id)
    {
        var vector = Get(DotnetSdk, id);
        var input = (JsonObject)vector.Row!["input"]!;
        var variables = new Dictionary<string, string>
        {
            [(string)input["user"]!] = "uname",
            [(string)input["password"]!] = "pword",
        };
        var access = (string)input["mode"]! == "Push" ? RegistryAccess.Push : RegistryAccess.Pull;
        var credential = EnvironmentCredentialSource.Find(access, name => variables.GetValueOrDefault(name));
        Check(vector, credential is null ? "none" : $"{credential.UserName}:{credential.Secret}");
    }
}
