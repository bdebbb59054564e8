using System.Text.Json.Nodes;
using Containers.Build.Model;
using Containers.Build.SupplyChain;

namespace Containers.Build.Tests.SupplyChain;

public class ProvenanceStatementTests
{
    private static readonly Digest Amd64 = Digest.Compute("amd64 manifest"u8);
    private static readonly Digest Arm64 = Digest.Compute("arm64 manifest"u8);
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";

    private static readonly IReadOnlyDictionary<string, string?> GitHubActions = new Dictionary<string, string?>
    {
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_SERVER_URL"] = "https://github.com",
        ["GITHUB_REPOSITORY"] = "octo-org/webapp",
        ["GITHUB_RUN_ID"] = "4242",
        ["GITHUB_RUN_ATTEMPT"] = "2",
        ["GITHUB_TOKEN"] = "ghs_secret",
    };

    private static ProvenanceInput Input() => new(
        [new ProvenanceSubject("registry.example.com/team/webapp", Arm64), new ProvenanceSubject("registry.example.com/team/webapp", Amd64)],
        "src/WebApp/WebApp.csproj",
        "Release",
        ["linux-x64", "linux-arm64"],
        new Dictionary<string, string>
        {
            ["ContainerRepository"] = "team/webapp",
            ["ContainerImageTags"] = "2.3.1;latest",
            ["ContainerRegistry"] = "registry.example.com",
            ["ContainerRegistryPassword"] = "hunter2",
            ["ContainerRegistryPWord"] = "hunter3",
            ["NuGetApiKey"] = "oy2...",
            ["CONTAINER_REGISTRY_TOKEN"] = "t0k3n",
            ["SigningSecret"] = "s3cr3t",
            ["ContainerRegistryCredentials"] = "user:pass",
        },
        "10.0.401",
        new BaseImageIdentity("mcr.microsoft.com/dotnet/aspnet:10.0", SbomFixtures.AspNetDigest, false),
        new SourceRepository("https://github.com/octo-org/webapp.git", Commit))
    {
        ToolVersion = SbomFixtures.ToolVersion,
    };

    private static JsonObject Write(ProvenanceInput input, IReadOnlyDictionary<string, string?>? environment = null)
        => SbomFixtures.Parse(ProvenanceStatement.Write(input, name => (environment ?? GitHubActions).GetValueOrDefault(name)));

    [Fact]
    public void It_is_an_in_toto_v1_statement_of_slsa_v1_provenance_about_each_manifest()
    {
        var statement = Write(Input());

        Assert.Equal("https://in-toto.io/Statement/v1", statement["_type"]!.GetValue<string>());
        Assert.Equal("https://slsa.dev/provenance/v1", statement["predicateType"]!.GetValue<string>());
        Assert.Equal(
            new[] { Amd64.Hex, Arm64.Hex }.Order(StringComparer.Ordinal),
            statement["subject"]!.AsArray().Select(s => s!["digest"]!["sha256"]!.GetValue<string>()));
        Assert.All(statement["subject"]!.AsArray(), s => Assert.Equal("registry.example.com/team/webapp", s!["name"]!.GetValue<string>()));
        var definition = statement["predicate"]!["buildDefinition"]!;
        Assert.Equal("https://containers.build/buildtypes/publish-image/v1", definition["buildType"]!.GetValue<string>());
        Assert.Equal("src/WebApp/WebApp.csproj", definition["externalParameters"]!["project"]!.GetValue<string>());
        Assert.Equal("Release", definition["externalParameters"]!["configuration"]!.GetValue<string>());
        Assert.Equal(["linux-x64", "linux-arm64"], definition["externalParameters"]!["runtimeIdentifiers"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal("10.0.401", definition["internalParameters"]!["sdkVersion"]!.GetValue<string>());
        var builder = statement["predicate"]!["runDetails"]!["builder"]!;
        Assert.Equal("https://containers.build/builder/1.2.3-test", builder["id"]!.GetValue<string>());
        Assert.Equal("1.2.3-test", builder["version"]!["containers.build"]!.GetValue<string>());
        Assert.Equal("10.0.401", builder["version"]!["dotnet-sdk"]!.GetValue<string>());
    }

    [Fact]
    public void The_base_image_and_the_source_commit_are_resolved_dependencies()
    {
        var dependencies = Write(Input())["predicate"]!["buildDefinition"]!["resolvedDependencies"]!.AsArray();

        Assert.Equal(2, dependencies.Count);
        Assert.Equal("pkg:oci/aspnet@sha256%3A" + SbomFixtures.AspNetDigest.Hex + "?repository_url=mcr.microsoft.com/dotnet/aspnet&tag=10.0", dependencies[0]!["uri"]!.GetValue<string>());
        Assert.Equal(SbomFixtures.AspNetDigest.Hex, dependencies[0]!["digest"]!["sha256"]!.GetValue<string>());
        Assert.Equal("git+https://github.com/octo-org/webapp.git", dependencies[1]!["uri"]!.GetValue<string>());
        Assert.Equal(Commit, dependencies[1]!["digest"]!["gitCommit"]!.GetValue<string>());

        var scratch = Write(Input() with { BaseImage = BaseImageIdentity.Scratch, Source = null });
        Assert.Empty(scratch["predicate"]!["buildDefinition"]!["resolvedDependencies"]!.AsArray());
    }

    [Fact]
    public void Secret_looking_properties_are_left_out_whatever_the_caller_passes()
    {
        var properties = Write(Input())["predicate"]!["buildDefinition"]!["externalParameters"]!["containerProperties"]!.AsObject();

        Assert.Equal(["ContainerImageTags", "ContainerRegistry", "ContainerRepository"], properties.Select(p => p.Key));
        Assert.Equal("team/webapp", properties["ContainerRepository"]!.GetValue<string>());
        var text = System.Text.Encoding.UTF8.GetString(ProvenanceStatement.Write(Input(), GitHubActions.GetValueOrDefault));
        Assert.DoesNotContain("hunter", text);
        Assert.DoesNotContain("t0k3n", text);
        Assert.DoesNotContain("s3cr3t", text);
        Assert.DoesNotContain("user:pass", text);
        Assert.DoesNotContain("ghs_secret", text);
    }

    [Fact]
    public void The_invocation_is_the_ci_runs_address_and_no_time_is_given_unless_the_input_has_one()
    {
        var metadata = Write(Input())["predicate"]!["runDetails"]!["metadata"]!.AsObject();

        Assert.Equal(["invocationId"], metadata.Select(p => p.Key));
        Assert.Equal("https://github.com/octo-org/webapp/actions/runs/4242/attempts/2", metadata["invocationId"]!.GetValue<string>());
        Assert.Empty(Write(Input(), new Dictionary<string, string?>())["predicate"]!["runDetails"]!["metadata"]!.AsObject());

        var timed = Write(Input() with { StartedOn = new DateTimeOffset(2024, 5, 6, 7, 0, 0, TimeSpan.Zero), FinishedOn = new DateTimeOffset(2024, 5, 6, 7, 1, 30, TimeSpan.FromHours(1)) });
        Assert.Equal("2024-05-06T07:00:00Z", timed["predicate"]!["runDetails"]!["metadata"]!["startedOn"]!.GetValue<string>());
        Assert.Equal("2024-05-06T06:01:30Z", timed["predicate"]!["runDetails"]!["metadata"]!["finishedOn"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("CI_JOB_URL=https://gitlab.example.com/group/app/-/jobs/77", "https://gitlab.example.com/group/app/-/jobs/77")]
    [InlineData("SYSTEM_COLLECTIONURI=https://dev.azure.com/contoso/;SYSTEM_TEAMPROJECT=Web Apps;BUILD_BUILDID=901", "https://dev.azure.com/contoso/Web%20Apps/_build/results?buildId=901")]
    [InlineData("BUILD_URL=https://jenkins.example.com/job/app/12/", "https://jenkins.example.com/job/app/12/")]
    [InlineData("CIRCLE_BUILD_URL=https://circleci.com/gh/org/app/33", "https://circleci.com/gh/org/app/33")]
    [InlineData("GITHUB_ACTIONS=true;GITHUB_SERVER_URL=https://ghe.example.com/;GITHUB_REPOSITORY=o/r;GITHUB_RUN_ID=5", "https://ghe.example.com/o/r/actions/runs/5")]
    [InlineData("GITHUB_ACTIONS=true;GITHUB_REPOSITORY=o/r", null)]
    [InlineData("", null)]
    public void Each_ci_service_names_its_run(string variables, string? expected)
    {
        var environment = variables.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Split('=', 2)).ToDictionary(v => v[0], v => v[1]);

        Assert.Equal(expected, CiInvocation.Id(environment.GetValueOrDefault));
    }

    [Theory]
    [InlineData("https://github.com/o/r.git", "https://github.com/o/r.git")]
    [InlineData("https://gitlab-ci-token:glcbt-secret@gitlab.example.com/g/r.git", "https://gitlab.example.com/g/r.git")]
    [InlineData("https://ghp_secret@github.com/o/r", "https://github.com/o/r")]
    [InlineData("git+https://user:pw@example.com:8443/r.git", "https://example.com:8443/r.git")]
    [InlineData("ssh://git@github.com/o/r.git", "ssh://git@github.com/o/r.git")]
    [InlineData("ssh://git:pw@github.com/o/r.git", "ssh://git@github.com/o/r.git")]
    [InlineData("git@github.com:o/r.git", "ssh://git@github.com/o/r.git")]
    public void Source_urls_lose_their_credentials(string url, string expected)
    {
        Assert.Equal(expected, GitUrl.WithoutCredentials(url));
    }

    [Fact]
    public void The_same_input_is_the_same_bytes()
    {
        var reordered = Input() with { Subjects = [.. Input().Subjects.Reverse()] };

        Assert.Equal(ProvenanceStatement.Write(Input(), GitHubActions.GetValueOrDefault), ProvenanceStatement.Write(Input(), GitHubActions.GetValueOrDefault));
        Assert.Equal(ProvenanceStatement.Write(Input(), GitHubActions.GetValueOrDefault), ProvenanceStatement.Write(reordered, GitHubActions.GetValueOrDefault));
    }
}
