using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Publishing.Stages;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Tasks;
using Containers.Build.Tests.Integration;

namespace Containers.Build.Tests.Images;

/// <summary>What the base-source tests share: images written by skopeo from the test registry, and the stage that reads them.</summary>
internal static class BaseSources
{
    /// <summary><c>skopeo copy</c> from the (plain http) test registry to a file transport.</summary>
    public static async Task CopyAsync(string from, string to, params string[] options)
    {
        var result = await TestEnvironment.SkopeoAsync(["copy", "--src-tls-verify=false", .. options, from, to]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    /// <summary>A new folder for this test run's files.</summary>
    public static string NewFolder(string prefix)
    {
        var root = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        return root;
    }

    /// <summary>The base as <paramref name="written"/> in ContainerBaseImage, for linux/amd64 unless platforms are given.</summary>
    public static Task<IReadOnlyList<BaseImage>> ResolveAsync(string written, ContentStore store, params Platform[] platforms)
        => BaseImageStage.ResolveAsync(BaseImageLocation.Parse(written), platforms.Length == 0 ? [Platform.LinuxAmd64] : platforms,
            RegistryMirrors.None, new HashSet<RegistryHost>(), null!, store, CancellationToken.None);

    /// <summary>The code and message a failure reading <paramref name="written"/> gets.</summary>
    public static (string Code, string Message) Diagnose(Exception e, string written)
        => ErrorBoundary.Diagnose(e, new ErrorBoundary.Context(written, written, false));
}
