using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// ContainerRegistry with several registries, for real: the plain-HTTP registry and the HTTPS one with htpasswd get
/// the same image in one publish, as skopeo reads it; a registry that refuses pushes does not keep it from the next.
/// </summary>
public class SeveralRegistriesEndToEndTests
{
    private static string Tail(ProcessResult result) => result.ToString() is var text && text.Length > 6000 ? text[^6000..] : result.ToString();

    /// <summary>A docker config that logs in to the HTTPS registry only: the plain one is anonymous.</summary>
    private static Dictionary<string, string?> LoggedInToTheTlsRegistry(SampleProject sample)
    {
        var directory = Path.Combine(sample.Root, "docker-config");
        Directory.CreateDirectory(directory);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestEnvironment.TestUser}:{TestEnvironment.TestPassword}"));
        File.WriteAllText(Path.Combine(directory, "config.json"),
            new JsonObject { ["auths"] = new JsonObject { [TestEnvironment.TlsRegistry] = new JsonObject { ["auth"] = auth } } }.ToJsonString());
        return new Dictionary<string, string?> { ["DOCKER_CONFIG"] = directory };
    }

    private static async Task<(string Digest, string Raw)> InspectAsync(string registry, string repository, string tag, params string[] options)
    {
        var reference = $"docker://{registry}/{repository}:{tag}";
        var raw = await TestEnvironment.SkopeoAsync(["inspect", "--tls-verify=false", .. options, "--raw", reference]);
        Assert.True(raw.ExitCode == 0, raw.ToString());
        var digest = await TestEnvironment.SkopeoAsync(["inspect", "--tls-verify=false", .. options, "--format", "{{.Digest}}", reference]);
        Assert.True(digest.ExitCode == 0, digest.ToString());
        return (digest.Output.Trim(), raw.Output);
    }

    [IntegrationFact]
    public async Task One_publish_pushes_the_same_image_to_a_plain_and_an_https_registry()
    {
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("several");
        var plain = TestEnvironment.Registry;
        var https = TestEnvironment.TlsRegistry;

        var publish = await sample.PublishImageAsync(LoggedInToTheTlsRegistry(sample),
            $"ContainerRegistry={plain}%3B{https}", $"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRepository={repository}",
            "ContainerImageTags=1.0%3Blatest", $"ContainerRegistryCaCertificates={TestEnvironment.TestCaBundle}");
        Assert.True(publish.ExitCode == 0, Tail(publish));
        Assert.DoesNotContain(TestEnvironment.TestPassword, publish.Output, StringComparison.Ordinal);

        // One summary line per registry, in the order given, both for the same digest.
        var pushed = Regex.Matches(publish.Output, @"Pushed (?<registry>[^/\s]+)/\S+@(?<digest>sha256:[0-9a-f]{64})");
        Assert.Equal([plain, https], pushed.Select(m => m.Groups["registry"].Value));
        var digest = pushed[0].Groups["digest"].Value;
        Assert.Equal(digest, pushed[1].Groups["digest"].Value);
        // The base lives in the plain registry: mounted there.
        Assert.Matches(@"Pushed 127\.0\.0\.1:5000/\S+ — \d+ layers \(base [\d.]+ \w+ mounted", publish.Output);

        // skopeo reads the same manifest under both tags in both registries.
        var credentials = $"{TestEnvironment.TestUser}:{TestEnvironment.TestPassword}";
        var inPlain = await InspectAsync(plain, repository, "1.0");
        var inHttps = await InspectAsync(https, repository, "1.0", "--creds", credentials);
        Assert.Equal(digest, inPlain.Digest);
        Assert.Equal(digest, inHttps.Digest);
        Assert.Equal(inPlain.Raw, inHttps.Raw);
        Assert.Equal(digest, (await InspectAsync(https, repository, "latest", "--creds", credentials)).Digest);

        // The facts name the image in each registry.
        var factsPath = Directory.GetFiles(Path.Combine(sample.ProjectDirectory, "obj"), "container-image.json", SearchOption.AllDirectories).Single();
        var facts = JsonNode.Parse(await File.ReadAllTextAsync(factsPath))!;
        Assert.Equal(digest, facts["manifestDigest"]!.GetValue<string>());
        var destinations = facts["destinations"]!.AsArray();
        Assert.Equal([plain, https], destinations.Select(d => d!["registry"]!.GetValue<string>()));
        Assert.Contains($"{https}/{repository}:latest", destinations[1]!["names"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [IntegrationFact]
    public async Task A_registry_that_refuses_the_push_does_not_keep_the_image_from_the_next()
    {
        // The read-only registry comes first: it refuses the first upload, and the plain registry still gets the image.
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("several-refused");
        var refusing = TestEnvironment.ReadOnlyRegistry;
        var plain = TestEnvironment.Registry;

        var publish = await sample.PublishImageAsync(
            $"ContainerRegistry={refusing}%3B{plain}", $"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRepository={repository}");

        Assert.True(publish.ExitCode != 0, "The publish should have failed:\n" + Tail(publish));
        Assert.DoesNotContain("MSB4018", publish.Output, StringComparison.Ordinal);
        // One failure of several keeps its own code (a refused push), and names where the image is.
        var error = publish.Output.Split('\n').First(l => l.Contains("error CB", StringComparison.Ordinal));
        Assert.Contains($"error CB2005: Not pushed to {refusing}: Registry {refusing} refused", error, StringComparison.Ordinal);
        var pushed = Regex.Match(publish.Output, $@"Pushed {Regex.Escape(plain)}/{Regex.Escape(repository)}:latest@(?<digest>sha256:[0-9a-f]{{64}})");
        Assert.True(pushed.Success, Tail(publish));
        var digest = pushed.Groups["digest"].Value;
        Assert.Contains($"The image {digest} was pushed to {plain}.", error, StringComparison.Ordinal);

        Assert.Equal(digest, (await InspectAsync(plain, repository, "latest")).Digest);
    }
}
