using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// Two runners and a join, for real: two copies of the sample (two machines) each publish their platform to the
/// registry by digest only (ContainerPublishUntagged), their facts files are "downloaded" into a third copy, and
/// -t:JoinImage there puts one OCI index of both under the tags. skopeo sees the index with both platforms and no tag
/// but the final ones; podman runs the host's platform from it.
/// </summary>
public partial class JoinEndToEndTests
{
    [IntegrationFact]
    public async Task Two_runners_publish_by_digest_only_and_the_join_of_their_facts_files_is_one_index_that_runs()
    {
        var repository = TestEnvironment.UniqueRepository("join");
        string[] target = [$"ContainerRegistry={TestEnvironment.Registry}", $"ContainerRepository={repository}", "ContainerImageTags=\"1.0;latest\""];
        using var join = await SampleProject.CreateAsync();
        var runners = new Dictionary<string, string>();
        foreach (var rid in new[] { "linux-x64", "linux-arm64" })
        {
            using var runner = await SampleProject.CreateAsync();
            var publish = await runner.PublishImageAsync([$"RuntimeIdentifier={rid}", $"ContainerBaseImage={TestEnvironment.AspNetBase}", "ContainerPublishUntagged=true", .. target]);
            Assert.True(publish.ExitCode == 0, publish.ToString());
            Assert.Contains("pushed by digest only: no image tag was created or moved", publish.Output, StringComparison.Ordinal);
            Assert.Contains("dotnet msbuild -t:JoinImage", publish.Output, StringComparison.Ordinal);
            runners[rid] = SampleProject.PushedDigest(publish);
            // The CI artifact: the runner's facts file, downloaded by the join job into a folder of its own.
            var downloaded = Path.Combine(join.ProjectDirectory, "facts", rid, "container-image.json");
            Directory.CreateDirectory(Path.GetDirectoryName(downloaded)!);
            File.Copy(Path.Combine(runner.ProjectDirectory, "obj", "Release", "net10.0", rid, "container-image.json"), downloaded);
        }

        // Each platform is in the repository by digest, and no tag names anything yet.
        Assert.Empty(ImageTags(await ListTagsAsync(repository)));

        var joined = await join.MSBuildAsync("JoinImage", ["-restore", "ContainerJoinImages=facts/*/container-image.json", .. target]);
        Assert.True(joined.ExitCode == 0, joined.ToString());
        // Nothing was compiled: the build would print "WebApp -> .../WebApp.dll".
        Assert.DoesNotContain("WebApp.dll", joined.Output, StringComparison.Ordinal);
        var summary = JoinedPattern().Match(joined.Output);
        Assert.True(summary.Success, joined.ToString());
        var digest = summary.Groups["digest"].Value;
        Assert.Contains("2 already in the repository, 0 copied into it; 2 of 2 tags updated.", joined.Output, StringComparison.Ordinal);

        // One OCI index of both runners' images, under both tags.
        var raw = await TestEnvironment.SkopeoAsync("inspect", "--raw", "--tls-verify=false", $"docker://{TestEnvironment.Registry}/{repository}:latest");
        Assert.True(raw.ExitCode == 0, raw.ToString());
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(raw.Output.TrimEnd('\n')))));
        var index = JsonNode.Parse(raw.Output)!;
        Assert.Equal("application/vnd.oci.image.index.v1+json", index["mediaType"]!.GetValue<string>());
        var manifests = index["manifests"]!.AsArray();
        Assert.Equal([runners["linux-x64"], runners["linux-arm64"]], manifests.Select(m => m!["digest"]!.GetValue<string>()));
        Assert.Equal(["amd64", "arm64"], manifests.Select(m => m!["platform"]!["architecture"]!.GetValue<string>()));
        Assert.All(manifests, m => Assert.Equal("linux", m!["platform"]!["os"]!.GetValue<string>()));
        var sameTag = await TestEnvironment.SkopeoAsync("inspect", "--raw", "--tls-verify=false", $"docker://{TestEnvironment.Registry}/{repository}:1.0");
        Assert.Equal(raw.Output, sameTag.Output);

        // Only the final tags: no per-platform tag was ever made. The rest are the referrers tags listing each
        // platform's SBOM and provenance (the registry has no referrers API).
        var tags = await ListTagsAsync(repository);
        Assert.Equal(["1.0", "latest"], ImageTags(tags).Order(StringComparer.Ordinal));
        Assert.Equal(runners.Values.Select(d => "sha256-" + d["sha256:".Length..]).Order(StringComparer.Ordinal), tags.Where(t => t.StartsWith("sha256-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

        // The join's facts, for the next CI step.
        var facts = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(join.ProjectDirectory, "obj", "Release", "net10.0", "container-image.json")))!;
        Assert.Equal(digest, facts["manifestDigest"]!.GetValue<string>());
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], facts["platforms"]!.AsArray().Select(p => p!["platform"]!.GetValue<string>()));

        // podman pulls the host's platform from the index, and it runs.
        await using var container = await RunningContainer.StartAsync($"{TestEnvironment.Registry}/{repository}:latest");
        Assert.Contains("Hello from Containers.Build!", await container.GetOkAsync(), StringComparison.Ordinal);
        var architecture = await TestEnvironment.PodmanAsync("image", "inspect", "--format", "{{.Architecture}}", $"{TestEnvironment.Registry}/{repository}:latest");
        Assert.Equal(Containers.Build.Model.Platform.Host.Architecture, architecture.Output.Trim());
    }

    private static async Task<string[]> ListTagsAsync(string repository)
    {
        var list = await TestEnvironment.SkopeoAsync("list-tags", "--tls-verify=false", $"docker://{TestEnvironment.Registry}/{repository}");
        Assert.True(list.ExitCode == 0, list.ToString());
        return JsonNode.Parse(list.Output)!["Tags"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray();
    }

    /// <summary>The tags people push, without the referrers tags (sha256-&lt;hex&gt;) that list each image's SBOM and provenance.</summary>
    private static string[] ImageTags(IEnumerable<string> tags) => tags.Where(t => !t.StartsWith("sha256-", StringComparison.Ordinal)).ToArray();

    [GeneratedRegex(@"Joined 2 platform images into \S+:1\.0,latest@(?<digest>sha256:[0-9a-f]{64}) \(an OCI image index")]
    private static partial Regex JoinedPattern();
}
