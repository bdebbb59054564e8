using System.Text.Json.Nodes;
using Containers.Build.Publishing;
using Containers.Build.Publishing.Destinations;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Publishing;

/// <summary>
/// An OCI archive names its image as containerd and docker save do (io.containerd.image.name: the normalized
/// reference, ref.name: the tag), so podman load gives it the same name as the SDK's archive; and the line the
/// build prints says how to run it, with its ports mapped.
/// </summary>
public sealed class OciArchiveNameTests : IDisposable
{
    private readonly InMemoryRegistry _registry = new("127.0.0.1:5999");
    private readonly TempDirectory _work = new("cb-oci-name");

    public OciArchiveNameTests()
    {
        _work.WriteFile("publish/App.dll", "the app");
        _work.WriteFile("publish/App.deps.json", MinimalDepsJson.For("linux-x64"));
        SeededBaseImage.Put(_registry, "dotnet/aspnet", "10.0");
    }

    public void Dispose() => _work.Dispose();

    [Theory]
    [InlineData("app", "", "docker.io/library/app:1.0")]
    [InlineData("team/app", "", "docker.io/team/app:1.0")]
    [InlineData("a/b/app", "", "docker.io/a/b/app:1.0")]
    [InlineData("app", "127.0.0.1:5999", "127.0.0.1:5999/app:1.0")]
    [InlineData("team/app", "127.0.0.1:5999", "127.0.0.1:5999/team/app:1.0")]
    [InlineData("app", "docker.io", "docker.io/library/app:1.0")]
    [InlineData("team/app", "index.docker.io", "docker.io/team/app:1.0")]
    public void The_full_name_is_the_normalized_reference(string repository, string registry, string expected)
    {
        var names = new ImageNames(repository, ["1.0"]) { Registry = registry.Length == 0 ? null : RegistryHost.Parse(registry) };
        Assert.Equal(expected, names.FullName("1.0"));
    }

    [Theory]
    [InlineData("app", "", "docker.io/library/app")]
    [InlineData("team/app", "", "docker.io/team/app")]
    [InlineData("team/app", "127.0.0.1:5999", "127.0.0.1:5999/team/app")]
    public async Task The_oci_archive_index_names_every_tag_in_full(string repository, string registry, string fullRepository)
    {
        var archive = _work.Combine("out", "app.oci.tar");
        var outcome = await PublishAsync(Inputs(repository, registry) with { ArchiveOutputPath = archive, Ports = [("8080", null)] });

        var index = JsonNode.Parse(ReadEntry(archive, "index.json"))!;
        // Only the image: podman load refuses an archive that lists referrers, so its SBOM and provenance are beside it.
        var manifests = index["manifests"]!.AsArray();
        Assert.All(manifests, m => Assert.Null(m!["artifactType"]));
        Assert.StartsWith("{\"spdxVersion\":\"SPDX-2.3\"", File.ReadAllText(archive + ".spdx.json"), StringComparison.Ordinal);
        Assert.True(File.Exists(archive + ".intoto.json"));
        Assert.Equal([$"{fullRepository}:1.0", $"{fullRepository}:latest"],
            manifests.Select(m => m!["annotations"]!["io.containerd.image.name"]!.GetValue<string>()));
        Assert.Equal(["1.0", "latest"], manifests.Select(m => m!["annotations"]!["org.opencontainers.image.ref.name"]!.GetValue<string>()));

        var result = outcome.Destinations.Single(d => d.Kind == DestinationKinds.OciArchive);
        Assert.Equal([$"{fullRepository}:1.0", $"{fullRepository}:latest"], result.Names);
        Assert.Contains($"load it with: podman load -i {archive}, then run it with: podman run --rm -p 8080:8080 {fullRepository}:1.0", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_run_hints_map_every_exposed_port_and_none_without_ports()
    {
        var archive = _work.Combine("out", "app.tar");
        var withPorts = await PublishAsync(Inputs("app", "") with { ArchiveOutputPath = archive, Ports = [("8080", null), ("5353", "udp")] });
        Assert.Contains("then run it with: podman run --rm -p 5353:5353/udp -p 8080:8080 localhost/app:1.0", withPorts.Destinations[0].Summary, StringComparison.Ordinal);

        var worker = await PublishAsync(Inputs("app", "") with { ArchiveOutputPath = archive });
        Assert.Contains("then run it with: podman run --rm localhost/app:1.0 —", worker.Destinations[0].Summary, StringComparison.Ordinal);
    }

    private ImageRequestParser.Inputs Inputs(string repository, string registry) => new()
    {
        BaseImage = $"{_registry.Host}/dotnet/aspnet:10.0",
        Registry = registry,
        AssemblyName = "App",
        Repository = repository,
        ImageTags = "1.0;latest",
        PublishDirectory = _work.Combine("publish"),
        ContentStoreDirectory = _work.Combine("store"),
        AppCommand = ["dotnet", "/app/App.dll"],
        SourceDateEpoch = "1700000000",
    };

    private async Task<PublishOutcome> PublishAsync(ImageRequestParser.Inputs inputs)
    {
        var request = ImageRequestParser.Parse(inputs, _ => { });
        using var clients = new RegistryClientFactory(new HostRouter(_registry), InMemoryRegistry.Environment()) { Retry = RetryPolicy.None };
        return await new ImagePublisher(clients, _ => { }).PublishAsync(request, CancellationToken.None);
    }

    private static string ReadEntry(string tar, string name)
    {
        using var reader = new System.Formats.Tar.TarReader(File.OpenRead(tar));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name == name)
            {
                using var text = new StreamReader(entry.DataStream!);
                return text.ReadToEnd();
            }
        }
        throw new InvalidOperationException($"{tar} has no {name}.");
    }
}
