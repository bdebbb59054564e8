using System.Text.Json.Nodes;
using Containers.Build.Model;
using Containers.Build.SupplyChain;
using Containers.Build.Tests.Integration;

namespace Containers.Build.Tests.SupplyChain;

/// <summary>
/// Inputs made from the checked-in publish outputs (README.md beside this file says where they come from): a
/// framework-dependent web app on an aspnet base, and a self-contained linux-x64 console app on runtime-deps.
/// </summary>
internal static class SbomFixtures
{
    public const string ToolVersion = "1.2.3-test";

    public static readonly Digest ImageDigest = Digest.Compute("the image manifest"u8);
    public static readonly Digest OtherImageDigest = Digest.Compute("another image manifest"u8);
    public static readonly Digest AspNetDigest = Digest.Compute("the aspnet base index"u8);
    public static readonly Digest RuntimeDepsDigest = Digest.Compute("the runtime-deps base index"u8);
    public static readonly DateTimeOffset Created = new(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2));

    public static string Directory { get; } = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "Containers.Build.Tests", "SupplyChain");
    public static string Fixtures => Path.Combine(Directory, "Fixtures");
    public static string NuGetRoot => Path.Combine(Fixtures, "nuget");
    public static string SpdxSchema => Path.Combine(Directory, "spdx-2.3.schema.json");
    public static string WebAppDepsJson => Path.Combine(Fixtures, "framework-dependent", "WebApp.deps.json");
    public static string SelfContainedDepsJson => Path.Combine(Fixtures, "self-contained", "SelfContainedApp.deps.json");

    /// <summary>WebApp 2.3.1 on mcr.microsoft.com/dotnet/aspnet:10.0, whose environment names runtime 10.0.12.</summary>
    public static SbomInput FrameworkDependent(Digest? manifestDigest = null) => new(
        new SbomApp("WebApp", "2.3.1"),
        new SbomSubject("registry.example.com/team/webapp", manifestDigest ?? ImageDigest, Platform.LinuxAmd64, Created),
        WebAppDepsJson,
        Path.Combine(Fixtures, "framework-dependent", "WebApp.runtimeconfig.json"),
        NuGetRoot,
        new BaseImageIdentity("mcr.microsoft.com/dotnet/aspnet:10.0", AspNetDigest, false),
        new Dictionary<string, string>
        {
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["APP_UID"] = "1654",
            ["DOTNET_VERSION"] = "10.0.12",
            ["ASPNET_VERSION"] = "10.0.12",
        })
    {
        ToolVersion = ToolVersion,
    };

    /// <summary>SelfContainedApp 0.9.0 on docker.io/library/debian:12 (no .NET in its environment), not pushed anywhere.</summary>
    public static SbomInput SelfContained() => new(
        new SbomApp("SelfContainedApp", "0.9.0"),
        new SbomSubject(null, ImageDigest, Platform.LinuxAmd64, Created),
        SelfContainedDepsJson,
        Path.Combine(Fixtures, "self-contained", "SelfContainedApp.runtimeconfig.json"),
        NuGetRoot,
        new BaseImageIdentity("docker.io/library/debian:12", RuntimeDepsDigest, false),
        new Dictionary<string, string>())
    {
        ToolVersion = ToolVersion,
    };

    /// <summary>The base64 SHA-512 deps.json gives a library (<c>sha512-...</c>), as lowercase hex.</summary>
    public static string DepsJsonSha512Hex(string depsJsonPath, string libraryKey)
    {
        var value = JsonNode.Parse(File.ReadAllText(depsJsonPath))!["libraries"]![libraryKey]!["sha512"]!.GetValue<string>();
        Assert.StartsWith("sha512-", value);
        return Convert.ToHexStringLower(Convert.FromBase64String(value["sha512-".Length..]));
    }

    public static JsonObject Parse(byte[] document)
    {
        Assert.False(document.Length >= 3 && document[0] == 0xEF && document[1] == 0xBB && document[2] == 0xBF, "The document starts with a BOM.");
        return (JsonObject)JsonNode.Parse(document)!;
    }
}
