using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// The configuration surface for real: properties set on real projects, published with the packed package to
/// the test registry, and the pushed config read back with skopeo (and run with podman). Several properties per
/// publish, to keep the number of publishes small.
/// </summary>
public class ConfigurationEndToEndTests
{
    private const long SourceDateEpoch = 1_700_000_000;
    private const string SourceDate = "2023-11-14T22:13:20Z";

    [IntegrationFact]
    public async Task An_untouched_dotnet_new_web_project_publishes_on_the_inferred_mcr_image_through_a_mirror()
    {
        using var directory = new TempDirectory("cb-newweb");
        var (feed, version) = await PackageFeed.GetAsync();
        var created = await ProcessRunner.RunAsync("dotnet", ["new", "web", "-n", "NewWeb", "-o", directory.Combine("NewWeb")], directory.Path);
        Assert.True(created.ExitCode == 0, created.ToString());
        var projectDirectory = directory.Combine("NewWeb");
        var projectFile = Path.Combine(projectDirectory, "NewWeb.csproj");
        File.WriteAllText(directory.Combine("nuget.config"), $"""
            <configuration><packageSources><clear /><add key="containers-build-test" value="{feed}" /></packageSources></configuration>
            """);
        File.WriteAllText(directory.Combine("Directory.Build.props"), "<Project />");
        File.WriteAllText(directory.Combine("Directory.Build.targets"), "<Project />");
        File.WriteAllText(projectFile, File.ReadAllText(projectFile).Replace("</Project>",
            $"""  <ItemGroup><PackageReference Include="Containers.Build" Version="{version}" PrivateAssets="all" /></ItemGroup>{"\n"}</Project>""", StringComparison.Ordinal));

        var repository = TestEnvironment.UniqueRepository("newweb");
        var publish = await ProcessRunner.RunAsync("dotnet",
            ["publish", projectFile, "-c", "Release", "-t:PublishImage", "-nodeReuse:false", "-tl:off",
             $"-p:ContainerRegistry={TestEnvironment.Registry}", $"-p:ContainerRepository={repository}"],
            projectDirectory,
            new Dictionary<string, string?>
            {
                ["CONTAINERS_BUILD_REGISTRY_MIRRORS"] = $"mcr.microsoft.com={TestEnvironment.Registry}",
                ["SOURCE_DATE_EPOCH"] = SourceDateEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        Assert.True(publish.ExitCode == 0, publish.ToString());
        // The template's appsettings.Development.json holds logging levels only: no secret, no warning.
        Assert.DoesNotContain("warning CB", publish.Output, StringComparison.Ordinal);
        Assert.Contains("ContainerBaseImage is mcr.microsoft.com/dotnet/aspnet:10.0, inferred from the project", publish.Output, StringComparison.Ordinal);
        Assert.Contains($"read from the mirror {TestEnvironment.Registry}", publish.Output, StringComparison.Ordinal);
        // The mirror is the push registry: base layers are mounted there, never downloaded and uploaded.
        Assert.Matches(@"base [\d.]+ \w+ mounted", publish.Output);

        var config = await ConfigAsync($"{TestEnvironment.Registry}/{repository}:latest");
        var labels = config["config"]!["Labels"]!;
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", labels["org.opencontainers.image.base.name"]!.GetValue<string>());
        Assert.Equal(await DigestOfAsync(TestEnvironment.AspNetBase), labels["org.opencontainers.image.base.digest"]!.GetValue<string>());
        Assert.Equal(SourceDate, config["created"]!.GetValue<string>());
        Assert.Equal(SourceDate, labels["org.opencontainers.image.created"]!.GetValue<string>());
        Assert.Equal("1.0.0", labels["org.opencontainers.image.version"]!.GetValue<string>());
        Assert.Equal("NewWeb", labels["org.opencontainers.image.authors"]!.GetValue<string>());
        Assert.Equal(["dotnet", "/app/NewWeb.dll"], Strings(config["config"]!["Entrypoint"])!);
        Assert.Equal("1654", config["config"]!["User"]!.GetValue<string>());
    }

    [IntegrationFact]
    public async Task Sdk_properties_and_items_land_in_the_pushed_config_and_the_image_runs()
    {
        using var sample = await SampleProject.CreateAsync();
        using var emptyMirror = new EmptyRegistry();
        File.WriteAllText(Path.Combine(sample.Root, "Directory.Build.targets"), $"""
            <Project>
              <ItemGroup>
                <ContainerAppCommandArgs Include="--contentRoot;/srv/shop" />
                <ContainerDefaultArgs Include="--shop:verbose=true" />
                <ContainerEnvironmentVariable Include="ASPNETCORE_URLS" Value="http://+:5050" />
                <ContainerPort Include="9000" Type="udp" />
                <ContainerLabel Include="com.contoso.team" Value="web" />
                <ContainerRegistryMirror Include="{TestEnvironment.Registry}" Mirror="{emptyMirror.Host}" />
              </ItemGroup>
            </Project>
            """);
        var repository = TestEnvironment.UniqueRepository("sdkprops");
        var publish = await sample.PublishImageAsync(new Dictionary<string, string?> { ["SOURCE_DATE_EPOCH"] = SourceDateEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            $"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerRepository={repository}",
            "ContainerUser=1000:1000", "ContainerWorkingDirectory=/srv/shop", "ContainerAppCommandInstruction=DefaultArgs",
            "ContainerVersion=2.3.4", "Description=The Contoso shop", "Authors=Contoso", "PackageProjectUrl=https://contoso.example/shop",
            "ContainerDocumentationUrl=https://docs.contoso.example", "ContainerVendor=Contoso Ltd", "PackageLicenseExpression=MIT", "ContainerTitle=Contoso Shop",
            "PublishRepositoryUrl=true", "RepositoryUrl=https://git.contoso.example/shop.git", "SourceRevisionId=0123abcd",
            "ContainerGenerateLabelsImageBaseDigest=false");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains($"The mirror {emptyMirror.Host} for {TestEnvironment.Registry} does not have dotnet/aspnet:10.0; reading the base image from {TestEnvironment.Registry} itself", publish.Output, StringComparison.Ordinal);
        Assert.True(emptyMirror.ManifestRequests > 0, "The mirror was never asked.");

        var config = await ConfigAsync($"{TestEnvironment.Registry}/{repository}:latest");
        var container = config["config"]!;
        Assert.Equal("1000:1000", container["User"]!.GetValue<string>());
        Assert.Equal("/srv/shop", container["WorkingDir"]!.GetValue<string>());
        // DefaultArgs: the base's (empty) Entrypoint stays; app command, its arguments and the default arguments are the Cmd.
        Assert.Null(container["Entrypoint"]);
        Assert.Equal(["dotnet", "/srv/shop/WebApp.dll", "--contentRoot", "/srv/shop", "--shop:verbose=true"], Strings(container["Cmd"])!);
        // ASPNETCORE_URLS wins over the base's ASPNETCORE_HTTP_PORTS=8080, as in Kestrel.
        Assert.Equal(["5050/tcp", "9000/udp"], container["ExposedPorts"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));

        var labels = container["Labels"]!.AsObject().ToDictionary(l => l.Key, l => l.Value!.GetValue<string>());
        Assert.Equal("2.3.4", labels["org.opencontainers.image.version"]);
        Assert.Equal("The Contoso shop", labels["org.opencontainers.image.description"]);
        Assert.Equal("Contoso", labels["org.opencontainers.image.authors"]);
        Assert.Equal("https://contoso.example/shop", labels["org.opencontainers.image.url"]);
        Assert.Equal("https://docs.contoso.example", labels["org.opencontainers.image.documentation"]);
        Assert.Equal("Contoso Ltd", labels["org.opencontainers.image.vendor"]);
        Assert.Equal("MIT", labels["org.opencontainers.image.licenses"]);
        Assert.Equal("Contoso Shop", labels["org.opencontainers.image.title"]);
        Assert.Equal("https://git.contoso.example/shop", labels["org.opencontainers.image.source"]);
        Assert.Equal("0123abcd", labels["org.opencontainers.image.revision"]);
        Assert.Equal(TestEnvironment.AspNetBase, labels["org.opencontainers.image.base.name"]);
        Assert.Equal(SourceDate, labels["org.opencontainers.image.created"]);
        Assert.Equal("web", labels["com.contoso.team"]);
        Assert.False(labels.ContainsKey("org.opencontainers.image.base.digest"));

        // podman runs the Cmd as user 1000 from /srv/shop, and the app answers.
        await using var running = await RunningContainer.StartAsync($"{TestEnvironment.Registry}/{repository}:latest", "ASPNETCORE_URLS");
        Assert.Equal("Hello from Containers.Build!", await running.GetOkAsync());
        Assert.Equal("1000", (await running.ExecAsync("id", "-u")).Output.Trim());
    }

    [IntegrationFact]
    public async Task Invalid_configuration_stops_with_a_coded_error_before_any_registry_is_asked()
    {
        using var sample = await SampleProject.CreateAsync();
        // Port 1 has no registry: an error from there would mean the check came too late.
        var result = await sample.PublishImageAsync("ContainerRegistry=127.0.0.1:1", "ContainerBaseImage=127.0.0.1:1/dotnet/aspnet:10.0",
            "ContainerUser=2147483648", "ContainerAppCommandInstruction=Entrypoint");
        Assert.True(result.ExitCode != 0, "The publish should have failed:\n" + result);
        Assert.Contains("error CB1101: ContainerUser '2147483648' is not a user: the uid 2147483648 is larger than 2147483647", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("CB2003", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("MSB4018", result.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The SDK's older names, as a project that used them moves over: ContainerImageName names the repository (with
    /// a warning), ContainerEntrypoint / ContainerEntrypointArgs items start the container, a capitalized
    /// ContainerRepository is lowercased, and a numeric ContainerUser owns the app's files.
    /// </summary>
    [IntegrationFact]
    public async Task The_sdks_older_names_still_work()
    {
        using var sample = await SampleProject.CreateAsync();
        File.WriteAllText(sample.ProjectFile, File.ReadAllText(sample.ProjectFile).Replace("</Project>", """
              <ItemGroup>
                <ContainerEntrypoint Include="/usr/bin/env" />
                <ContainerEntrypointArgs Include="DOTNET_gcServer=0" />
              </ItemGroup>
            </Project>
            """, StringComparison.Ordinal));
        var layout = Path.Combine(sample.Root, "out", "oci");

        var result = await sample.PublishImageAsync($"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerOciLayoutPath={layout}",
            "ContainerImageName=Legacy/WebApp", "ContainerUser=1234");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warning CB4003", result.Output, StringComparison.Ordinal);
        Assert.Contains("warning CB4005", result.Output, StringComparison.Ordinal);
        var facts = JsonNode.Parse(File.ReadAllText(layout + ".json"))!;
        Assert.Equal("legacy/webapp", facts["repository"]!.GetValue<string>());
        var config = await ConfigAsync($"oci:{layout}:latest", transport: "");
        Assert.Equal(["/usr/bin/env", "DOTNET_gcServer=0"], Strings(config["config"]!["Entrypoint"])!);
        Assert.Equal(["dotnet", "/app/WebApp.dll"], Strings(config["config"]!["Cmd"])!);
        Assert.Equal("/app/", config["config"]!["WorkingDir"]!.GetValue<string>());
        // A numeric ContainerUser owns the app's files, as the SDK does.
        var manifestDigest = facts["manifestDigest"]!.GetValue<string>()["sha256:".Length..];
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "blobs", "sha256", manifestDigest)))!;
        var appLayer = manifest["layers"]!.AsArray()[^1]!["digest"]!.GetValue<string>()["sha256:".Length..];
        var (entries, _) = TarReader.ReadGzippedLayer(Path.Combine(layout, "blobs", "sha256", appLayer));
        Assert.All(entries, e => Assert.Equal((1234, 1234), (e.UserId, e.GroupId)));
    }

    /// <summary>
    /// A warning the build treats as an error (here CB4001 for a private key in the publish output) fails the build
    /// before anything is sent: the tag does not exist afterwards, and no archive is written.
    /// </summary>
    [IntegrationTheory]
    [InlineData("-warnaserror")]
    [InlineData("MSBuildTreatWarningsAsErrors=true")]
    [InlineData("WarningsAsErrors=CB4001")]
    public async Task A_build_that_fails_on_a_warning_pushes_nothing(string asErrors)
    {
        using var sample = await SampleProject.CreateAsync();
        File.WriteAllText(Path.Combine(sample.ProjectDirectory, "server.pfx"), "not a real key");
        File.WriteAllText(sample.ProjectFile, File.ReadAllText(sample.ProjectFile).Replace("</Project>",
            "  <ItemGroup><None Update=\"server.pfx\" CopyToPublishDirectory=\"PreserveNewest\" /></ItemGroup>\n</Project>", StringComparison.Ordinal));
        var repository = TestEnvironment.UniqueRepository("warnaserror");
        var archive = Path.Combine(sample.Root, "out", "app.tar");

        var result = await sample.PublishImageAsync($"ContainerRegistry={TestEnvironment.Registry}", $"ContainerRepository={repository}",
            $"ContainerBaseImage={TestEnvironment.AspNetBase}", $"ContainerArchiveOutputPath={archive}", asErrors);

        Assert.True(result.ExitCode != 0, "The build should have failed:\n" + result);
        Assert.Contains("CB4001", result.Output, StringComparison.Ordinal);
        Assert.Contains("/app/server.pfx", result.Output, StringComparison.Ordinal);
        Assert.Contains("was not sent anywhere", result.Output, StringComparison.Ordinal);
        using var http = new HttpClient();
        using var tag = await http.GetAsync($"http://{TestEnvironment.Registry}/v2/{repository}/manifests/latest");
        Assert.Equal(HttpStatusCode.NotFound, tag.StatusCode);
        Assert.False(File.Exists(archive));
    }

    /// <summary>
    /// A setting that needs only properties fails before anything compiles or publishes, for one platform and for
    /// several: no compiler call, no "-> …/publish/" line, no assembly in obj/, no platform build.
    /// </summary>
    [IntegrationTheory]
    [InlineData("ContainerImageTag=bad tag!", "error CB1006: ContainerImageTag has an invalid tag 'bad tag!'")]
    [InlineData("ContainerRegistry=not a registry", "error CB1003: ContainerRegistry 'not a registry'")]
    [InlineData("ContainerUploadChunkSize=12", "error CB1021: ContainerUploadChunkSize '12'")]
    [InlineData("ContainerInsecureRegistries=bad host", "error CB1024: ContainerInsecureRegistries entry 'bad host'")]
    [InlineData("ContainerLayerCompression=lz4", "error CB1116: ContainerLayerCompression 'lz4'")]
    public async Task Settings_are_checked_before_anything_compiles(string setting, string error)
    {
        using var sample = await SampleProject.CreateAsync();
        foreach (var platforms in new[] { null, "ContainerRuntimeIdentifiers=\"linux-x64;linux-arm64\"" })
        {
            string[] properties = ["ContainerRegistry=127.0.0.1:1", "ContainerBaseImage=127.0.0.1:1/dotnet/aspnet:10.0", setting, "-v:n"];
            var result = await sample.PublishImageAsync(platforms is null ? properties : [.. properties, platforms]);
            Assert.True(result.ExitCode != 0, "The publish should have failed:\n" + result);
            Assert.Contains(error, result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("CoreCompile", result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("csc.dll", result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("/publish/", result.Output, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(sample.ProjectDirectory, "WebApp.dll", SearchOption.AllDirectories));
            Assert.DoesNotContain("MSB4018", result.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The settings are checked once per publish, at the start of the build, not again before the app's publish; a value
    /// a build step sets after that check is still checked, by the publish itself, with its own code, and nothing is sent.
    /// </summary>
    [IntegrationFact]
    public async Task Settings_are_checked_once_and_a_value_a_build_step_sets_later_still_is()
    {
        using var sample = await SampleProject.CreateAsync();
        var repository = TestEnvironment.UniqueRepository("checked-once");
        string[] properties = [$"ContainerRegistry={TestEnvironment.Registry}", $"ContainerRepository={repository}", $"ContainerBaseImage={TestEnvironment.AspNetBase}"];

        var published = await sample.PublishImageAsync([.. properties, "-clp:PerformanceSummary"]);
        Assert.True(published.ExitCode == 0, published.ToString());
        Assert.Matches(@"\d+ ms\s+CheckContainerSettings\s+1 calls", published.Output);
        using var http = new HttpClient();
        var tagsList = $"http://{TestEnvironment.Registry}/v2/{repository}/tags/list";
        var tagsBefore = await http.GetStringAsync(tagsList);

        File.WriteAllText(sample.ProjectFile, File.ReadAllText(sample.ProjectFile).Replace("</Project>",
            "  <Target Name=\"TagFromABuildStep\" BeforeTargets=\"CoreCompile\"><PropertyGroup><ContainerImageTag>bad tag!</ContainerImageTag></PropertyGroup></Target>\n</Project>", StringComparison.Ordinal));
        var failed = await sample.PublishImageAsync(properties);
        Assert.True(failed.ExitCode != 0, "The publish should have failed:\n" + failed);
        Assert.Contains("error CB1006: ContainerImageTag has an invalid tag 'bad tag!'", failed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("MSB4018", failed.Output, StringComparison.Ordinal);
        Assert.Equal(tagsBefore, await http.GetStringAsync(tagsList));
    }

    private static string[]? Strings(JsonNode? node) => node?.AsArray().Select(n => n!.GetValue<string>()).ToArray();

    private static async Task<JsonNode> ConfigAsync(string image, string transport = "docker://")
    {
        var result = transport.Length == 0
            ? await TestEnvironment.SkopeoAsync("inspect", "--config", image)
            : await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--config", $"{transport}{image}");
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonNode.Parse(result.Output)!;
    }

    /// <summary>The digest of what a name points at (an index for the aspnet base), from its exact bytes.</summary>
    private static async Task<string> DigestOfAsync(string image)
    {
        using var http = new HttpClient();
        var slash = image.IndexOf('/');
        var colon = image.LastIndexOf(':');
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{image[..slash]}/v2/{image[(slash + 1)..colon]}/manifests/{image[(colon + 1)..]}");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.index.v1+json");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(await response.Content.ReadAsByteArrayAsync()));
    }

    /// <summary>A registry on a loopback port that has nothing: every manifest is unknown (a mirror that lacks the image).</summary>
    private sealed class EmptyRegistry : IDisposable
    {
        private readonly HttpListener _listener = new();
        private int _manifestRequests;

        public EmptyRegistry()
        {
            var port = Network.FreePort();
            Host = $"127.0.0.1:{port}";
            _listener.Prefixes.Add($"http://{Host}/");
            _listener.Start();
            _ = ServeAsync();
        }

        public string Host { get; }
        public int ManifestRequests => Volatile.Read(ref _manifestRequests);

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                var path = context.Request.Url!.AbsolutePath;
                if (path.Contains("/manifests/", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _manifestRequests);
                }
                context.Response.StatusCode = path == "/v2/" ? 200 : 404;
                context.Response.ContentType = "application/json";
                var body = path == "/v2/" ? "{}"u8.ToArray() : """{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"""u8.ToArray();
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
