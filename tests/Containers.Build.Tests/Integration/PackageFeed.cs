using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// The Containers.Build package, packed once per test run with a version of its own (so NuGet's cache can
/// never serve an older build) into a feed folder that test projects restore from.
/// </summary>
public static class PackageFeed
{
    private static readonly Lazy<Task<(string Folder, string Version)>> Packed = new(PackAsync);

    public static Task<(string Folder, string Version)> GetAsync() => Packed.Value;

    private static async Task<(string Folder, string Version)> PackAsync()
    {
        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var folder = Path.Combine(Path.GetTempPath(), $"cb-feed-{version}");
        var result = await ProcessRunner.RunAsync("dotnet",
            ["pack", Path.Combine(TestEnvironment.RepositoryRoot, "src", "Sdk", "Containers.Build.Sdk.csproj"), "-c", "Release", "-o", folder, $"-p:Version={version}", "-nodeReuse:false"],
            TestEnvironment.RepositoryRoot);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException("Packing Containers.Build failed:\n" + result);
        }
        return (folder, version);
    }
}
