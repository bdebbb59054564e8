using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.Publishing;
using Containers.Build.Registry;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Images;

/// <summary>Manifest and index annotations: the base as named and its digest, the image's time, the mirrored labels, the project's own.</summary>
public sealed class ImageAnnotationsTests : IDisposable
{
    private readonly InMemoryRegistry _registry = new("127.0.0.1:5999");
    private readonly TempDirectory _work = new("cb-annotations");

    public ImageAnnotationsTests()
    {
        _work.WriteFile("publish/App.dll", "the app");
        _work.WriteFile("arm64/App.dll", "the app");
    }

    public void Dispose() => _work.Dispose();

    private ImageRequestParser.Inputs Inputs => new()
    {
        BaseImage = $"{_registry.Host}/dotnet/aspnet:10.0",
        Registry = _registry.Host,
        AssemblyName = "App",
        Repository = "team/app",
        PublishDirectory = _work.Combine("publish"),
        ContentStoreDirectory = _work.Combine("store"),
        AppCommand = ["dotnet", "/app/App.dll"],
        SourceDateEpoch = "1700000000",
        GeneratedLabels = LabelGeneration.All,
        Labels = [KeyValuePair.Create("org.opencontainers.image.version", "2.3.4"), KeyValuePair.Create("com.example.label", "not mirrored")],
        Annotations = [KeyValuePair.Create("com.example.team", "payments"), KeyValuePair.Create("org.opencontainers.image.version", "2.3.4-ci")],
    };

    private async Task<PublishOutcome> PublishAsync(ImageRequestParser.Inputs inputs)
    {
        var request = ImageRequestParser.Parse(inputs, _ => { });
        using var clients = new RegistryClientFactory(new HostRouter(_registry), InMemoryRegistry.Environment()) { Retry = RetryPolicy.None };
        return await new ImagePublisher(clients, _ => { }).PublishAsync(request, CancellationToken.None);
    }

    private static Dictionary<string, string> AnnotationsOf(byte[] document)
        => JsonNode.Parse(document)!["annotations"]?.AsObject().ToDictionary(a => a.Key, a => a.Value!.GetValue<string>()) ?? [];

    [Fact]
    public async Task An_oci_manifest_names_its_base_and_digest_its_time_the_mirrored_labels_and_the_project_s_own()
    {
        var (top, _) = SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0");

        var outcome = await PublishAsync(Inputs);

        var annotations = AnnotationsOf(outcome.Images.Images[0].Manifest.Bytes);
        Assert.Equal($"{_registry.Host}/dotnet/aspnet:10.0", annotations["org.opencontainers.image.base.name"]);
        Assert.Equal(top.ToString(), annotations["org.opencontainers.image.base.digest"]);
        Assert.Equal("2023-11-14T22:13:20Z", annotations["org.opencontainers.image.created"]);
        // The project's annotation wins over the mirrored label; labels that are not mirrored stay labels.
        Assert.Equal("2.3.4-ci", annotations["org.opencontainers.image.version"]);
        Assert.Equal("payments", annotations["com.example.team"]);
        Assert.False(annotations.ContainsKey("com.example.label"));
        Assert.Equal(outcome.Images.Images[0].Manifest.Bytes, _registry.GetManifest("team/app", "latest")!.Bytes);
    }

    [Fact]
    public async Task The_switches_turn_the_generated_ones_off_and_a_docker_manifest_has_none()
    {
        SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0");

        var off = await PublishAsync(Inputs with { GeneratedLabels = LabelGeneration.None, Labels = [], Annotations = [] });
        Assert.Null(JsonNode.Parse(off.Images.Images[0].Manifest.Bytes)!["annotations"]);

        var docker = await PublishAsync(Inputs with { ImageFormat = "Docker" });
        Assert.Null(JsonNode.Parse(docker.Images.Images[0].Manifest.Bytes)!["annotations"]);
    }

    [Fact]
    public async Task The_index_of_several_platforms_carries_them_too_and_a_command_line_entry_wins()
    {
        var (top, _) = SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0", "amd64", "arm64");
        var inputs = Inputs with
        {
            PublishDirectory = null,
            Platforms = [new PlatformInput("linux-x64", _work.Combine("publish"), [], []), new PlatformInput("linux-arm64", _work.Combine("arm64"), [], [])],
            ListEntries = [("ContainerAnnotations", "com.example.team=platform"), ("ContainerAnnotations", "com.example.cost-center=42")],
        };

        var outcome = await PublishAsync(inputs);

        var index = AnnotationsOf(outcome.Images.Index!.Bytes);
        Assert.Equal(top.ToString(), index["org.opencontainers.image.base.digest"]);
        Assert.Equal("platform", index["com.example.team"]);
        Assert.Equal("42", index["com.example.cost-center"]);
        Assert.All(outcome.Images.Images, image => Assert.Equal("platform", AnnotationsOf(image.Manifest.Bytes)["com.example.team"]));
    }

    [Fact]
    public void An_annotation_without_a_name_is_CB1042()
    {
        var e = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.Parse(Inputs with { Annotations = [KeyValuePair.Create(" ", "x")] }, _ => { }));
        Assert.Equal(DiagnosticCodes.AnnotationInvalid, e.Code);
    }
}
