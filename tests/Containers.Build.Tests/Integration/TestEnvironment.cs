using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>Where the test environment is: the repository, the registry, the base images.</summary>
public static class TestEnvironment
{
    public static bool SkipIntegration => Environment.GetEnvironmentVariable("CONTAINERS_BUILD_SKIP_INTEGRATION") == "1";

    /// <summary>The registry build/setup-test-env.sh starts.</summary>
    public static string Registry => Environment.GetEnvironmentVariable("CONTAINERS_BUILD_TEST_REGISTRY") ?? "127.0.0.1:5000";

    /// <summary>A second registry on the same storage in read-only mode: it refuses every push.</summary>
    public static string ReadOnlyRegistry => Environment.GetEnvironmentVariable("CONTAINERS_BUILD_TEST_READONLY_REGISTRY") ?? "127.0.0.1:5001";

    /// <summary>The HTTPS registry with Basic auth (its certificate is signed by the test CA).</summary>
    public static string TlsRegistry => "127.0.0.1:5443";

    /// <summary>The registry that wants bearer tokens from <see cref="Support.TokenServer"/>.</summary>
    public static string TokenRegistry => "127.0.0.1:5002";
    public static string TokenServer => "127.0.0.1:5003";
    public static string TokenService => "containers-build-test";
    public const string TestUser = "cbuser";
    public const string TestPassword = "cb-test-password";

    public static string StateDirectory => Environment.GetEnvironmentVariable("CONTAINERS_BUILD_STATE") ?? "/tmp/containers-build-env";
    public static string PkiDirectory => Path.Combine(StateDirectory, "pki");
    public static string TestCaBundle => Path.Combine(PkiDirectory, "ca.crt");

    public static string AspNetBase => $"{Registry}/dotnet/aspnet:10.0";
    public static string RuntimeDepsBase => $"{Registry}/dotnet/runtime-deps:10.0";

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>A repository name no other test uses, so tests can run in parallel against one registry.</summary>
    public static string UniqueRepository(string prefix) => $"tests/{prefix}-{Guid.NewGuid():N}"[..Math.Min(60, prefix.Length + 7 + 32)];

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Containers.Build.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Containers.Build.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>How many layers the aspnet base image has (its config's diff_ids, read by skopeo).</summary>
    public static async Task<int> AspNetBaseLayerCountAsync()
    {
        var config = await SkopeoAsync("inspect", "--tls-verify=false", "--override-arch", "amd64", "--override-os", "linux", "--config", $"docker://{AspNetBase}");
        return System.Text.Json.Nodes.JsonNode.Parse(config.Output)!["rootfs"]!["diff_ids"]!.AsArray().Count;
    }

    /// <summary>The descriptor of the aspnet base image's top layer (a real blob to pull).</summary>
    public static async Task<Containers.Build.Model.Descriptor> AspNetBaseLayerAsync()
    {
        var raw = await SkopeoAsync("inspect", "--tls-verify=false", "--raw", "--override-arch", "amd64", "--override-os", "linux", $"docker://{Registry}/dotnet/runtime-deps:10.0-amd64");
        var layer = System.Text.Json.Nodes.JsonNode.Parse(raw.Output)!["layers"]!.AsArray()[0]!;
        return Containers.Build.Model.Descriptor.FromJson(layer, "the base layer");
    }

    /// <summary>The digests of the aspnet base's linux/amd64 layers.</summary>
    public static async Task<string[]> AspNetLayerDigestsAsync()
    {
        var inspect = await SkopeoAsync("inspect", "--tls-verify=false", "--override-arch", "amd64", $"docker://{AspNetBase}");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        var layers = System.Text.Json.Nodes.JsonNode.Parse(inspect.Output)!["Layers"]!.AsArray().Select(l => l!.GetValue<string>()).ToArray();
        Assert.NotEmpty(layers);
        return layers;
    }

    public static Task<ProcessResult> SkopeoAsync(params string[] arguments) => ProcessRunner.RunAsync("skopeo", arguments);
    public static Task<ProcessResult> PodmanAsync(params string[] arguments) => ProcessRunner.RunAsync("podman", arguments, timeout: TimeSpan.FromMinutes(3));

    /// <summary>An OCI layout against the OCI image-spec schemas (tests/Tools/validate-oci-layout.py): its summary line, and one line per problem.</summary>
    public static Task<ProcessResult> ValidateOciLayoutAsync(string layout)
        => ProcessRunner.RunAsync("/usr/bin/python3", [Path.Combine(RepositoryRoot, "tests", "Tools", "validate-oci-layout.py"), layout]);
}
