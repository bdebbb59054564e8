using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// One publish for linux-x64 and linux-arm64: one tag naming an index of both, in the registry, an archive and
/// an OCI layout. The amd64 image runs under podman; the arm64 image is read by skopeo (--override-arch) and
/// unpacked by umoci, and its native files are checked to be AArch64 ELF binaries.
/// </summary>
public class MultiPlatformTests
{
    private const string BothPlatforms = "ContainerRuntimeIdentifiers=\"linux-x64;linux-arm64\"";
    private const ushort ElfMachineX64 = 0x3E;
    private const ushort ElfMachineAArch64 = 0xB7;

    [IntegrationFact]
    public async Task A_framework_dependent_app_is_one_oci_index_whose_amd64_image_runs_and_whose_arm64_image_is_arm64()
    {
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("multi");
        var publish = await sample.PublishImageAsync(BothPlatforms, $"ContainerRegistry={TestEnvironment.Registry}",
            $"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRepository={repository}");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains("an index of 2 platform images", publish.Output, StringComparison.Ordinal);

        // The tag names an OCI index of both platforms; nobody asked for per-platform tags, so there are none.
        var index = await RawAsync(repository, "latest");
        Assert.Equal("application/vnd.oci.image.index.v1+json", index["mediaType"]!.GetValue<string>());
        Assert.Equal(SampleProject.PushedDigest(publish), (await ManifestAsync(repository, "latest")).Digest);
        var platforms = index["manifests"]!.AsArray().Select(m => m!["platform"]!.ToJsonString()).ToArray();
        Assert.Equal(["""{"architecture":"amd64","os":"linux"}""", """{"architecture":"arm64","os":"linux","variant":"v8"}"""], platforms);
        Assert.Equal(["latest"], ImageTags(await TagsAsync(repository)));

        // Each platform's manifest is in the registry by digest, in OCI format, on its own base.
        var amd64 = await RawAsync(repository, index["manifests"]![0]!["digest"]!.GetValue<string>());
        var arm64 = await RawAsync(repository, index["manifests"]![1]!["digest"]!.GetValue<string>());
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", arm64["mediaType"]!.GetValue<string>());
        var arm64Config = await ConfigAsync(repository, "arm64");
        Assert.Equal("arm64", arm64Config["architecture"]!.GetValue<string>());
        Assert.Equal("v8", arm64Config["variant"]!.GetValue<string>());
        Assert.Equal("amd64", (await ConfigAsync(repository, "amd64"))["architecture"]!.GetValue<string>());

        // The app's own IL is the same on both platforms: its layer is one blob, shared; only the native host
        // and deps.json differ (the top layer of each).
        var amd64Layers = Layers(amd64);
        var arm64Layers = Layers(arm64);
        var appLayers = 2;
        Assert.Equal(amd64Layers[^appLayers], arm64Layers[^appLayers]);
        Assert.NotEqual(amd64Layers[^1], arm64Layers[^1]);
        Assert.False(amd64Layers.Take(amd64Layers.Length - appLayers).Intersect(arm64Layers).Any(), "The base layers are each platform's own.");

        await using (var container = await RunningContainer.StartAsync($"{TestEnvironment.Registry}/{repository}:latest"))
        {
            Assert.Contains("Hello from Containers.Build!", await container.GetOkAsync(), StringComparison.Ordinal);
        }

        // The arm64 image, unpacked: its native host and its runtime are AArch64 binaries, the amd64 one's x86-64.
        var layout = Path.Combine(sample.Root, "pulled");
        foreach (var arch in new[] { "amd64", "arm64" })
        {
            var copy = await TestEnvironment.SkopeoAsync("copy", "--src-tls-verify=false", "--override-arch", arch, $"docker://{TestEnvironment.Registry}/{repository}:latest", $"oci:{layout}:{arch}");
            Assert.True(copy.ExitCode == 0, copy.ToString());
        }
        var arm64Root = await UnpackAsync(layout, "arm64", sample.Root);
        Assert.Equal(ElfMachineAArch64, ElfMachine(Path.Combine(arm64Root, "app", "WebApp")));
        Assert.Equal(ElfMachineAArch64, ElfMachine(Directory.GetFiles(Path.Combine(arm64Root, "usr/share/dotnet/shared/Microsoft.NETCore.App"), "libcoreclr.so", SearchOption.AllDirectories).Single()));
        var amd64Root = await UnpackAsync(layout, "amd64", sample.Root);
        Assert.Equal(ElfMachineX64, ElfMachine(Path.Combine(amd64Root, "app", "WebApp")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(amd64Root, "app", "WebApp.dll")), File.ReadAllBytes(Path.Combine(arm64Root, "app", "WebApp.dll")));

        // A republish with no change gives the same index and uploads nothing.
        var again = await sample.PublishImageAsync(BothPlatforms, $"ContainerRegistry={TestEnvironment.Registry}",
            $"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRepository={repository}");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(SampleProject.PushedDigest(publish), SampleProject.PushedDigest(again));
        Assert.Contains("uploaded 0 blobs", again.Output, StringComparison.Ordinal);
        Assert.Contains("3 of 3 app layers reused from the cache", again.Output, StringComparison.Ordinal);
    }

    [IntegrationFact]
    public async Task A_self_contained_app_on_a_docker_manifest_list_base_is_a_manifest_list_with_platform_tags_when_asked()
    {
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("multi-sc");
        var publish = await sample.PublishImageAsync(BothPlatforms, "SelfContained=true", "ContainerPublishPlatformTags=true", "ContainerImageTags=1.0",
            $"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.RuntimeDepsBase}", $"ContainerRepository={repository}");
        Assert.True(publish.ExitCode == 0, publish.ToString());

        var list = await RawAsync(repository, "1.0");
        Assert.Equal("application/vnd.docker.distribution.manifest.list.v2+json", list["mediaType"]!.GetValue<string>());
        Assert.All(list["manifests"]!.AsArray(), m => Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", m!["mediaType"]!.GetValue<string>()));

        // Asked for: each platform's manifest is also tagged <tag>-<rid>.
        var allTags = await TagsAsync(repository);
        Assert.Equal(["1.0", "1.0-linux-arm64", "1.0-linux-x64"], ImageTags(allTags).Order(StringComparer.Ordinal));
        // Each platform's SBOM and provenance are listed under its manifest's referrers tag (the registry has no referrers API).
        Assert.Equal(2, allTags.Count(t => t.StartsWith("sha256-", StringComparison.Ordinal)));
        Assert.Equal(list["manifests"]![1]!["digest"]!.GetValue<string>(), (await ManifestAsync(repository, "1.0-linux-arm64")).Digest);

        // Self-contained: the runtime is in the app folder, for each platform its own.
        await using (var container = await RunningContainer.StartAsync($"{TestEnvironment.Registry}/{repository}:1.0"))
        {
            Assert.Contains("Hello from Containers.Build!", await container.GetOkAsync(), StringComparison.Ordinal);
        }
        var layout = Path.Combine(sample.Root, "pulled");
        var copy = await TestEnvironment.SkopeoAsync("copy", "--src-tls-verify=false", $"docker://{TestEnvironment.Registry}/{repository}:1.0-linux-arm64", $"oci:{layout}:arm64");
        Assert.True(copy.ExitCode == 0, copy.ToString());
        var root = await UnpackAsync(layout, "arm64", sample.Root);
        Assert.Equal(ElfMachineAArch64, ElfMachine(Path.Combine(root, "app", "libcoreclr.so")));
        Assert.Equal(ElfMachineAArch64, ElfMachine(Path.Combine(root, "app", "WebApp")));
        Assert.Equal(ElfMachineAArch64, ElfMachine(Path.Combine(root, "usr", "bin", "bash")));
    }

    [IntegrationFact]
    public async Task The_archive_and_the_oci_layout_hold_the_whole_index_and_podman_loads_the_hosts_platform()
    {
        // An app with a package, a project reference and static web assets: all of them the same on both platforms.
        using var sample = await SampleProject.CreateAsync("tests/Fixtures/LayeredApp", ["tests/Fixtures/LayeredApp.Lib"], allowNuGetOrg: true);
        var repository = TestEnvironment.UniqueRepository("multi-local");
        var archive = Path.Combine(sample.Root, "out", "image.tar");
        var layout = Path.Combine(sample.Root, "layout");
        var publish = await sample.PublishImageAsync(BothPlatforms, $"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRepository={repository}",
            $"ContainerArchiveOutputPath={archive}", $"ContainerOciLayoutPath={layout}");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains("(OCI archive of 2 platforms", publish.Output, StringComparison.Ordinal);
        var digest = SampleProject.ReportedDigest(publish);

        // The layout: index.json names the image index under the tag; the schemas accept every document.
        var entries = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!["manifests"]!.AsArray();
        var top = entries.Single(m => m!["artifactType"] is null)!;
        // Each platform's SBOM and provenance, as referrers of that platform's manifest.
        Assert.Equal(4, entries.Count(m => m!["artifactType"] is not null));
        Assert.Equal("application/vnd.oci.image.index.v1+json", top["mediaType"]!.GetValue<string>());
        Assert.Equal(digest, top["digest"]!.GetValue<string>());
        var schemas = await TestEnvironment.ValidateOciLayoutAsync(layout);
        Assert.True(schemas.ExitCode == 0, schemas.ToString());
        Assert.Contains("2 manifests checked, 4 referrers checked, 0 problems", schemas.Output, StringComparison.Ordinal);
        foreach (var (arch, source) in new[] { ("arm64", $"oci:{layout}:latest"), ("arm64", $"oci-archive:{archive}:latest"), ("amd64", $"oci-archive:{archive}:latest") })
        {
            var inspect = await TestEnvironment.SkopeoAsync("inspect", "--override-arch", arch, source);
            Assert.True(inspect.ExitCode == 0, inspect.ToString());
            Assert.Equal(arch, JsonNode.Parse(inspect.Output)!["Architecture"]!.GetValue<string>());
        }
        var facts = JsonNode.Parse(await File.ReadAllTextAsync(archive + ".json"))!;
        Assert.Equal(digest, facts["manifestDigest"]!.GetValue<string>());
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], facts["platforms"]!.AsArray().Select(p => p!["platform"]!.GetValue<string>()));

        // Package, project reference, static web assets and the app's IL: one layer each, in both images; the
        // native host and deps.json: a layer per platform on top.
        var imageIndex = JsonNode.Parse(await File.ReadAllBytesAsync(Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..])))!;
        var manifests = imageIndex["manifests"]!.AsArray()
            .Select(m => JsonNode.Parse(File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", m!["digest"]!.GetValue<string>()["sha256:".Length..])))!)
            .ToArray();
        var amd64Layers = Layers(manifests[0]);
        var arm64Layers = Layers(manifests[1]);
        Assert.Equal(amd64Layers[^5..^1], arm64Layers[^5..^1]);
        Assert.NotEqual(amd64Layers[^1], arm64Layers[^1]);
        Assert.Contains("0 of 6 app layers reused from the cache", publish.Output, StringComparison.Ordinal);

        // podman load of the archive takes the image for this machine, which runs.
        var load = await TestEnvironment.PodmanAsync("load", "-i", archive);
        try
        {
            Assert.True(load.ExitCode == 0, load.ToString());
            // The OCI archive names the image in full, as docker save and the SDK's archive do.
            var loaded = repository.Contains('/') ? $"docker.io/{repository}:latest" : $"docker.io/library/{repository}:latest";
            var architecture = await TestEnvironment.PodmanAsync("image", "inspect", "--format", "{{.Architecture}}", loaded);
            Assert.Equal("amd64", architecture.Output.Trim());
            await using var container = await RunningContainer.StartAsync(loaded);
            Assert.Contains("(version 1)", await container.GetOkAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await TestEnvironment.PodmanAsync("rmi", "-f", repository.Contains('/') ? $"docker.io/{repository}:latest" : $"docker.io/library/{repository}:latest");
        }

        // With no registry and no archive, podman gets the host's image straight away.
        var local = await sample.PublishImageAsync(BothPlatforms, $"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRepository={repository}", "LocalRegistry=Podman");
        try
        {
            Assert.True(local.ExitCode == 0, local.ToString());
            Assert.Contains("(the linux/amd64 image of the 2 built)", local.Output, StringComparison.Ordinal);
            await using var container = await RunningContainer.StartAsync($"localhost/{repository}:latest");
            Assert.Contains("(version 1)", await container.GetOkAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await TestEnvironment.PodmanAsync("rmi", "-f", $"localhost/{repository}:latest");
        }
    }

    [IntegrationFact]
    public async Task A_base_without_a_requested_platform_or_with_mixed_formats_is_a_coded_error()
    {
        using var sample = await SampleProject.CreateAsync();

        // A single-platform base serves only its own platform: the error says which one it has.
        var single = await sample.PublishImageAsync(BothPlatforms, $"ContainerRegistry={TestEnvironment.Registry}",
            $"ContainerBaseImage={TestEnvironment.Registry}/dotnet/runtime:10.0-amd64", "ContainerRepository=tests/never-pushed");
        Assert.True(single.ExitCode != 0, single.ToString());
        Assert.Contains($"error {DiagnosticCodes.BaseImagePlatformMissing}", single.Output, StringComparison.Ordinal);
        Assert.Contains("has no linux/arm64/v8 variant; it offers linux/amd64.", single.Output, StringComparison.Ordinal);
        Assert.Contains("ContainerRuntimeIdentifiers", single.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("MSB4018", single.Output, StringComparison.Ordinal);

        // Test bases made of the environment's manifests: an index of amd64 alone, and an index whose amd64
        // manifest is Docker's and whose arm64 one is OCI.
        var bases = TestEnvironment.UniqueRepository("test-bases");
        var amd64Docker = await CopyManifestAsync("runtime-deps:10.0-amd64", bases, "amd64-docker");
        var arm64Oci = await CopyManifestAsync("runtime:10.0-arm64v8", bases, "arm64-oci");
        await PutIndexAsync(bases, "amd64-only", amd64Docker);
        await PutIndexAsync(bases, "mixed", amd64Docker, arm64Oci);

        var missing = await sample.PublishImageAsync(BothPlatforms, $"ContainerRegistry={TestEnvironment.Registry}",
            $"ContainerBaseImage={TestEnvironment.Registry}/{bases}:amd64-only", "ContainerRepository=tests/never-pushed");
        Assert.True(missing.ExitCode != 0, missing.ToString());
        Assert.Contains($"error {DiagnosticCodes.BaseImagePlatformMissing}", missing.Output, StringComparison.Ordinal);
        Assert.Contains("has no linux/arm64/v8 variant; it offers linux/amd64.", missing.Output, StringComparison.Ordinal);

        var mixed = $"{bases}:mixed";
        var mixedPublish = await sample.PublishImageAsync(BothPlatforms, $"ContainerRegistry={TestEnvironment.Registry}",
            $"ContainerBaseImage={TestEnvironment.Registry}/{mixed}", "ContainerRepository=tests/never-pushed");
        Assert.True(mixedPublish.ExitCode != 0, mixedPublish.ToString());
        Assert.Contains($"error {DiagnosticCodes.BaseImageFormatsMixed}", mixedPublish.Output, StringComparison.Ordinal);
        Assert.Contains("linux/amd64: Docker, linux/arm64/v8: OCI", mixedPublish.Output, StringComparison.Ordinal);
        Assert.Contains("Set ContainerImageFormat", mixedPublish.Output, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, await TagsStatusAsync("tests/never-pushed"));

        // Settled by ContainerImageFormat: every platform's image in OCI format.
        var repository = TestEnvironment.UniqueRepository("mixed-oci");
        var settled = await sample.PublishImageAsync(BothPlatforms, "ContainerImageFormat=OCI", $"ContainerRegistry={TestEnvironment.Registry}",
            $"ContainerBaseImage={TestEnvironment.Registry}/{mixed}", $"ContainerRepository={repository}");
        Assert.True(settled.ExitCode == 0, settled.ToString());
        var settledIndex = await RawAsync(repository, "latest");
        Assert.Equal("application/vnd.oci.image.index.v1+json", settledIndex["mediaType"]!.GetValue<string>());
        Assert.All(settledIndex["manifests"]!.AsArray(), m => Assert.Equal("application/vnd.oci.image.manifest.v1+json", m!["mediaType"]!.GetValue<string>()));
    }

    /// <summary>The manifest or index <paramref name="repository"/>:<paramref name="reference"/> (a tag or a digest) names, parsed.</summary>
    private static async Task<JsonNode> RawAsync(string repository, string reference)
        => JsonNode.Parse((await ManifestAsync(repository, reference)).Bytes)!;

    private static async Task<JsonNode> ConfigAsync(string repository, string arch)
    {
        var config = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--override-arch", arch, "--config", $"docker://{TestEnvironment.Registry}/{repository}:latest");
        Assert.True(config.ExitCode == 0, config.ToString());
        return JsonNode.Parse(config.Output)!;
    }

    private static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json",
    ];

    /// <summary>A manifest's exact bytes, media type and digest (computed here, not taken from the registry).</summary>
    private static async Task<(byte[] Bytes, string MediaType, string Digest)> ManifestAsync(string repository, string reference)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{TestEnvironment.Registry}/v2/{repository}/manifests/{reference}");
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.Add(new(type));
        }
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"GET {repository}:{reference}: {response.StatusCode}");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return (bytes, response.Content.Headers.ContentType!.MediaType!, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
    }

    /// <summary>Copies a test base's manifest (and its blobs) by digest into <paramref name="repository"/>; returns its index entry.</summary>
    private static async Task<JsonObject> CopyManifestAsync(string source, string repository, string tag)
    {
        var copy = await TestEnvironment.SkopeoAsync("copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--preserve-digests",
            $"docker://{TestEnvironment.Registry}/dotnet/{source}", $"docker://{TestEnvironment.Registry}/{repository}:{tag}");
        Assert.True(copy.ExitCode == 0, copy.ToString());
        var (bytes, mediaType, digest) = await ManifestAsync(repository, tag);
        var sourceParts = source.Split(':');
        Assert.Equal((await ManifestAsync($"dotnet/{sourceParts[0]}", sourceParts[1])).Digest, digest);
        var arm = source.EndsWith("arm64v8", StringComparison.Ordinal);
        var platform = new JsonObject { ["architecture"] = arm ? "arm64" : "amd64", ["os"] = "linux" };
        if (arm)
        {
            platform["variant"] = "v8";
        }
        return new JsonObject { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = bytes.Length, ["platform"] = platform };
    }

    private static async Task PutIndexAsync(string repository, string tag, params JsonObject[] entries)
    {
        using var http = new HttpClient();
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(entries.Select(e => (JsonNode)e.DeepClone()).ToArray()),
        };
        var content = new StringContent(index.ToJsonString(), System.Text.Encoding.UTF8);
        content.Headers.ContentType = new("application/vnd.oci.image.index.v1+json");
        var put = await http.PutAsync($"http://{TestEnvironment.Registry}/v2/{repository}/manifests/{tag}", content);
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
    }

    private static string[] Layers(JsonNode manifest) => manifest["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>()).ToArray();

    /// <summary>The tags people push, without the referrers tags (sha256-&lt;hex&gt;) that list each image's SBOM and provenance.</summary>
    private static string[] ImageTags(IEnumerable<string> tags) => tags.Where(t => !t.StartsWith("sha256-", StringComparison.Ordinal)).ToArray();

    private static async Task<string[]> TagsAsync(string repository)
    {
        using var http = new HttpClient();
        var tags = await http.GetFromJsonAsync<JsonObject>($"http://{TestEnvironment.Registry}/v2/{repository}/tags/list");
        return tags!["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray();
    }

    private static async Task<System.Net.HttpStatusCode> TagsStatusAsync(string repository)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync($"http://{TestEnvironment.Registry}/v2/{repository}/tags/list");
        return response.StatusCode;
    }

    /// <summary>umoci unpacks the image for <paramref name="tag"/> of the layout; returns its root file system.</summary>
    private static async Task<string> UnpackAsync(string layout, string tag, string workDirectory)
    {
        var bundle = Path.Combine(workDirectory, "bundle-" + tag);
        var unpack = await ProcessRunner.RunAsync("umoci", ["unpack", "--image", $"{layout}:{tag}", bundle]);
        Assert.True(unpack.ExitCode == 0, unpack.ToString());
        return Path.Combine(bundle, "rootfs");
    }

    /// <summary>e_machine of an ELF file (little-endian): which processor it is for.</summary>
    private static ushort ElfMachine(string path)
    {
        var header = new byte[20];
        using (var file = File.OpenRead(path))
        {
            file.ReadExactly(header);
        }
        Assert.True(header.AsSpan(0, 4).SequenceEqual(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }), $"{path} is not an ELF file");
        return BitConverter.ToUInt16(header, 18);
    }
}
