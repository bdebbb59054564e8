using System.Net.Http;
using System.Text.Json.Nodes;
using Containers.Build.Tests.SupplyChain;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// Supply chain by default, for real: a web app with NuGet packages pushed to the distribution registry (which has no
/// referrers API) gets an SPDX SBOM and a provenance statement as referrers found through the sha256-&lt;hex&gt; tag;
/// the SPDX validates against the SPDX 2.3 schema and lists each package with its version, purl and SHA-512 from
/// project.assets.json and the base by digest; the CycloneDX variant passes @cyclonedx/cyclonedx-library's strict
/// validator and covers what the CycloneDX .NET tool lists; two clones give the same SBOM bytes and image digest.
/// </summary>
public class SupplyChainEndToEndTests
{
    private static readonly Dictionary<string, string?> FixedTime = new() { ["SOURCE_DATE_EPOCH"] = "1700000000" };

    [IntegrationFact]
    public async Task The_pushed_image_has_a_valid_sbom_and_provenance_as_referrers_and_two_clones_give_the_same_bytes()
    {
        using var clone = await SampleProject.CreateAsync("tests/Fixtures/SupplyChainApp", allowNuGetOrg: true);
        using var otherClone = await SampleProject.CreateAsync("tests/Fixtures/SupplyChainApp", allowNuGetOrg: true);
        await CommitAsync(clone);
        await CommitAsync(otherClone);
        var repository = TestEnvironment.UniqueRepository("supplychain");
        // ContinuousIntegrationBuild, as CI servers set it: the compiler then writes the repository's paths as /_/, not
        // where the clone is (Source Link finds the repository's root).
        string[] properties = [$"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRegistry={TestEnvironment.Registry}", $"ContainerRepository={repository}", "ContinuousIntegrationBuild=true"];

        var publish = await clone.PublishImageAsync(FixedTime, properties);
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains("2 referrers attached (SBOM, provenance)", publish.Output, StringComparison.Ordinal);
        var digest = SampleProject.PushedDigest(publish);

        // The manifest names its base, as the image-spec's annotations.
        var manifest = JsonNode.Parse((await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{TestEnvironment.Registry}/{repository}@{digest}")).Output)!;
        Assert.Equal(TestEnvironment.AspNetBase, manifest["annotations"]!["org.opencontainers.image.base.name"]!.GetValue<string>());
        var recordedBase = manifest["annotations"]!["org.opencontainers.image.base.digest"]!.GetValue<string>();
        Assert.StartsWith("sha256:", recordedBase, StringComparison.Ordinal);

        // The referrers, found through the tag schema (the distribution registry has no referrers API).
        var referrers = JsonNode.Parse((await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{TestEnvironment.Registry}/{repository}:sha256-{digest[7..]}")).Output)!["manifests"]!.AsArray();
        Assert.Equal(["application/spdx+json", "application/vnd.in-toto+json"], referrers.Select(r => r!["artifactType"]!.GetValue<string>()).Order());
        var spdx = await DocumentAsync(repository, referrers, "application/spdx+json", digest);
        var provenance = await DocumentAsync(repository, referrers, "application/vnd.in-toto+json", digest);

        // SPDX 2.3, by the schema; every runtime package of the app with project.assets.json's version and SHA-512.
        var valid = await SbomSchemaValidationTests.ValidateSpdxAsync(spdx);
        Assert.True(valid.ExitCode == 0, valid.ToString());
        var document = JsonNode.Parse(spdx)!;
        var packages = document["packages"]!.AsArray().Select(p => p!).ToArray();
        var assets = JsonNode.Parse(File.ReadAllText(Path.Combine(clone.ProjectDirectory, "obj", "project.assets.json")))!["libraries"]!.AsObject();
        var deps = JsonNode.Parse(File.ReadAllText(Directory.GetFiles(Path.Combine(clone.ProjectDirectory, "bin"), "SupplyChainApp.deps.json", SearchOption.AllDirectories).First()))!["libraries"]!.AsObject();
        var runtimePackages = deps.Where(l => l.Value!["type"]!.GetValue<string>() == "package").Select(l => l.Key).ToArray();
        Assert.Contains("Serilog.AspNetCore/10.0.0", runtimePackages);
        Assert.Contains("Newtonsoft.Json/13.0.3", runtimePackages);
        Assert.True(runtimePackages.Length >= 5, string.Join(", ", runtimePackages));
        foreach (var key in runtimePackages)
        {
            var (name, version) = (key[..key.IndexOf('/')], key[(key.IndexOf('/') + 1)..]);
            var package = packages.SingleOrDefault(p => p["name"]!.GetValue<string>() == name);
            Assert.True(package is not null, $"{key} is not in the SBOM");
            Assert.Equal(version, package["versionInfo"]!.GetValue<string>());
            Assert.Equal($"pkg:nuget/{name}@{version}", package["externalRefs"]!.AsArray().Single(r => r!["referenceType"]!.GetValue<string>() == "purl")!["referenceLocator"]!.GetValue<string>());
            var sha512 = Convert.ToHexStringLower(Convert.FromBase64String(assets[key]!["sha512"]!.GetValue<string>()));
            Assert.Equal(sha512, package["checksums"]!.AsArray().Single(c => c!["algorithm"]!.GetValue<string>() == "SHA512")!["checksumValue"]!.GetValue<string>());
        }
        var basePackage = packages.Single(p => p["primaryPackagePurpose"]?.GetValue<string>() == "CONTAINER" && p["name"]!.GetValue<string>().Contains("aspnet", StringComparison.Ordinal));
        Assert.Contains(basePackage["checksums"]!.AsArray(), c => c!["algorithm"]!.GetValue<string>() == "SHA256" && c["checksumValue"]!.GetValue<string>() == recordedBase[7..]);

        // Provenance: an in-toto Statement v1 with a SLSA Provenance v1 predicate, the base among what it was made from.
        var statement = JsonNode.Parse(provenance)!;
        Assert.Equal("https://in-toto.io/Statement/v1", statement["_type"]!.GetValue<string>());
        Assert.Equal("https://slsa.dev/provenance/v1", statement["predicateType"]!.GetValue<string>());
        Assert.Equal(digest[7..], statement["subject"]![0]!["digest"]!["sha256"]!.GetValue<string>());
        Assert.Contains(statement["predicate"]!["buildDefinition"]!["resolvedDependencies"]!.AsArray(), d => d!["digest"]?["sha256"]?.GetValue<string>() == recordedBase[7..]);

        // Another clone of the same commit: the same image digest and the same SBOM, byte for byte.
        var again = await otherClone.PublishImageAsync(FixedTime, [.. properties, "ContainerImageTag=clone"]);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(digest, SampleProject.PushedDigest(again));
        Assert.Equal(File.ReadAllBytes(FactsSide(clone, ".spdx.json")), File.ReadAllBytes(FactsSide(otherClone, ".spdx.json")));
        Assert.Equal(spdx, File.ReadAllBytes(FactsSide(clone, ".spdx.json")));

        // CycloneDX 1.6: the strict validator of @cyclonedx/cyclonedx-library, and every component the CycloneDX .NET
        // tool finds for the project is in it.
        var cyclonedx = await clone.PublishImageAsync(FixedTime, [.. properties, "ContainerSbom=cyclonedx", "ContainerImageTag=cyclonedx"]);
        Assert.True(cyclonedx.ExitCode == 0, cyclonedx.ToString());
        var bom = File.ReadAllBytes(FactsSide(clone, ".cdx.json"));
        var strict = await SbomSchemaValidationTests.ValidateCycloneDxAsync(bom);
        Assert.True(strict.ExitCode == 0, strict.ToString());
        var ours = JsonNode.Parse(bom)!["components"]!.AsArray().Select(c => $"{c!["name"]!.GetValue<string>()}@{c["version"]?.GetValue<string>()}".ToLowerInvariant()).ToHashSet();
        var theirs = await CycloneDxToolComponentsAsync(clone);
        Assert.NotEmpty(theirs);
        Assert.Empty(theirs.Except(ours));
    }

    /// <summary>Makes the copy a clone of one commit: the same files, author, time and message give the same commit id.</summary>
    private static async Task CommitAsync(SampleProject sample)
    {
        var environment = new Dictionary<string, string?> { ["GIT_AUTHOR_DATE"] = "2023-11-14T22:13:20Z", ["GIT_COMMITTER_DATE"] = "2023-11-14T22:13:20Z" };
        foreach (var arguments in new[]
        {
            new[] { "init", "-q", "-b", "main" },
            ["add", "-A"],
            ["-c", "user.name=Containers.Build", "-c", "user.email=tests@containers.build", "commit", "-q", "-m", "one commit"],
        })
        {
            var git = await ProcessRunner.RunAsync("git", arguments, sample.Root, environment);
            Assert.True(git.ExitCode == 0, git.ToString());
        }
    }

    /// <summary>The document of the referrer of <paramref name="artifactType"/>, read from the registry; its artifact's subject is the image.</summary>
    private static async Task<byte[]> DocumentAsync(string repository, JsonArray referrers, string artifactType, string subject)
    {
        var artifactDigest = referrers.Single(r => r!["artifactType"]!.GetValue<string>() == artifactType)!["digest"]!.GetValue<string>();
        var artifact = JsonNode.Parse((await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{TestEnvironment.Registry}/{repository}@{artifactDigest}")).Output)!;
        Assert.Equal(subject, artifact["subject"]!["digest"]!.GetValue<string>());
        using var http = new HttpClient();
        return await http.GetByteArrayAsync($"http://{TestEnvironment.Registry}/v2/{repository}/blobs/{artifact["layers"]![0]!["digest"]!.GetValue<string>()}");
    }

    /// <summary>The SBOM written beside the facts file (obj/…/container-image.json).</summary>
    private static string FactsSide(SampleProject sample, string extension)
        => Directory.GetFiles(Path.Combine(sample.ProjectDirectory, "obj"), "container-image" + extension, SearchOption.AllDirectories).Single();

    /// <summary>name@version of each component the CycloneDX .NET tool (NuGet: CycloneDX, a dotnet tool) lists for the project, development dependencies left out.</summary>
    private static async Task<HashSet<string>> CycloneDxToolComponentsAsync(SampleProject sample)
    {
        using var tools = new TempDirectory("cb-cyclonedx-tool");
        var install = await ProcessRunner.RunAsync("dotnet", ["tool", "install", "CycloneDX", "--version", "6.3.1", "--tool-path", tools.Path], timeout: TimeSpan.FromMinutes(5));
        Assert.True(install.ExitCode == 0, install.ToString());
        var output = tools.Combine("out");
        var run = await ProcessRunner.RunAsync(Path.Combine(tools.Path, "dotnet-CycloneDX"),
            [sample.ProjectFile, "-o", output, "-F", "Json", "-ed", "-dpr", "-spv", "1.6"], sample.ProjectDirectory, timeout: TimeSpan.FromMinutes(5));
        Assert.True(run.ExitCode == 0, run.ToString());
        var bom = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "bom.json")))!;
        return bom["components"]!.AsArray().Select(c => $"{c!["name"]!.GetValue<string>()}@{c["version"]!.GetValue<string>()}".ToLowerInvariant()).ToHashSet();
    }
}
