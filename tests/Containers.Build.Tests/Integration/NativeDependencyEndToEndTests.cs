using System.Text.RegularExpressions;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// The native dependency check for real: SkiaSharp's libSkiaSharp.so needs libfontconfig.so.1, which the .NET base
/// images do not have. On the aspnet base the publish warns (CB4007) naming it; on a base that has fontconfig (built
/// by podman with this machine's Debian libraries and kept in an OCI layout) it does not, and the app draws a PNG; a
/// republish reads no base layer again.
/// </summary>
public class NativeDependencyEndToEndTests
{
    [IntegrationFact]
    public async Task A_native_asset_whose_library_the_base_lacks_is_named_and_a_base_that_has_it_gives_no_warning()
    {
        using var sample = await SampleProject.CreateAsync("tests/Fixtures/SkiaApp", allowNuGetOrg: true);
        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        var repository = TestEnvironment.UniqueRepository("skia");
        var aspnet = $"{proxy.Address}/dotnet/aspnet:10.0";

        var warned = await sample.PublishImageAsync($"ContainerBaseImage={aspnet}", $"ContainerRegistry={proxy.Address}", $"ContainerRepository={repository}");
        Assert.True(warned.ExitCode == 0, warned.ToString());
        var warning = Assert.Single(WarningLines(warned, "CB4007"));
        Assert.Contains("libSkiaSharp.so needs libfontconfig.so.1, which the linux/amd64 image", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("libc.so.6", warning, StringComparison.Ordinal);
        Assert.Empty(WarningLines(warned, "CB4008"));

        // Published again: the base's file lists are kept by layer digest, so no base layer is read again.
        proxy.Seen.Clear();
        var again = await sample.PublishImageAsync($"ContainerBaseImage={aspnet}", $"ContainerRegistry={proxy.Address}", $"ContainerRepository={repository}");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Single(WarningLines(again, "CB4007"));
        Assert.DoesNotContain(proxy.Seen, r => r.Method == "GET" && r.PathAndQuery.Contains("/dotnet/aspnet/blobs/", StringComparison.Ordinal));

        // A fresh runner (no obj/ and no machine cache, so no file lists): the image the tag names records the same check, findings and all;
        // the warning is the same, and no base layer is downloaded.
        sample.ForgetBuildState();
        proxy.Seen.Clear();
        var fresh = await sample.PublishImageAsync($"ContainerBaseImage={aspnet}", $"ContainerRegistry={proxy.Address}", $"ContainerRepository={repository}");
        Assert.True(fresh.ExitCode == 0, fresh.ToString());
        Assert.Equal(warning, Assert.Single(WarningLines(fresh, "CB4007")));
        Assert.Equal(SampleProject.PushedDigest(warned), SampleProject.PushedDigest(fresh));
        var baseLayers = await TestEnvironment.AspNetLayerDigestsAsync();
        Assert.DoesNotContain(proxy.Seen, r => r.Method == "GET" && baseLayers.Any(layer => r.PathAndQuery.EndsWith("/blobs/" + layer, StringComparison.Ordinal)));

        // As an error, nothing is pushed.
        var failed = await sample.PublishImageAsync($"ContainerBaseImage={aspnet}", $"ContainerRegistry={proxy.Address}", $"ContainerRepository={repository}",
            "ContainerImageTag=strict", "ContainerNativeDependencyCheck=error");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("error CB4007", failed.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, (await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--raw", $"docker://{TestEnvironment.Registry}/{repository}:strict")).ExitCode);

        // A base with fontconfig and what it needs, from this machine's Debian (the one the test bases are made from).
        using var context = new TempDirectory("cb-fontconfig-base");
        var libraries = await FontconfigLibrariesAsync();
        foreach (var (soname, path) in libraries)
        {
            File.Copy(path, context.Combine(soname));
        }
        context.WriteFile("Containerfile", $"FROM {TestEnvironment.Registry}/dotnet/aspnet:10.0-amd64\n"
            + string.Concat(libraries.Select(l => $"COPY {l.Soname} /usr/lib/x86_64-linux-gnu/{l.Soname}\n")));
        await AssertCleanAndDrawingOnBaseAsync(sample, repository, context, "fontconfig");

        // A base that keeps them in a directory of its own, which only /etc/ld.so.conf.d names (and ldconfig has cached):
        // the check reads the base's loader configuration, finds them there, and the app draws in the container.
        using var vendorContext = new TempDirectory("cb-vendor-base");
        Directory.CreateDirectory(vendorContext.Combine("libs"));
        foreach (var (soname, path) in libraries)
        {
            File.Copy(path, vendorContext.Combine("libs", soname));
        }
        vendorContext.WriteFile("vendor.conf", "# the vendor's libraries\n/opt/vendor/lib\n");
        vendorContext.WriteFile("Containerfile", $"FROM {TestEnvironment.Registry}/dotnet/aspnet:10.0-amd64\n"
            + "COPY libs/ /opt/vendor/lib/\nCOPY vendor.conf /etc/ld.so.conf.d/vendor.conf\nRUN [\"/sbin/ldconfig\"]\n");
        await AssertCleanAndDrawingOnBaseAsync(sample, repository, vendorContext, "vendor");
    }

    /// <summary>
    /// Builds the base <paramref name="context"/>'s Containerfile describes (podman), publishes the sample on it as an OCI
    /// layout under <paramref name="tag"/>: no CB4007, and the app runs and draws a PNG in the container.
    /// </summary>
    private static async Task AssertCleanAndDrawingOnBaseAsync(SampleProject sample, string repository, TempDirectory context, string tag)
    {
        var name = $"localhost/cb-{tag}-{Guid.NewGuid():N}:1";
        var built = await TestEnvironment.PodmanAsync("build", "--tls-verify=false", "--network", "host", "-t", name, context.Path);
        Assert.True(built.ExitCode == 0, built.ToString());
        try
        {
            var layout = context.Combine("layout");
            var copied = await TestEnvironment.SkopeoAsync("copy", $"containers-storage:{name}", $"oci:{layout}:{tag}");
            Assert.True(copied.ExitCode == 0, copied.ToString());

            var clean = await sample.PublishImageAsync($"ContainerBaseImage=oci:{layout}:{tag}", $"ContainerRegistry={TestEnvironment.Registry}",
                $"ContainerRepository={repository}", $"ContainerImageTag={tag}");
            Assert.True(clean.ExitCode == 0, clean.ToString());
            Assert.Empty(WarningLines(clean, "CB4007"));

            await using var running = await RunningContainer.StartAsync($"{TestEnvironment.Registry}/{repository}:{tag}");
            Assert.Equal("Hello from Containers.Build!", await running.GetOkAsync());
            var png = await Network.GetBytesAsync($"http://127.0.0.1:{running.Port}/png");
            Assert.True(png.Length > 8 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', $"not a PNG: {png.Length} bytes");
        }
        finally
        {
            await TestEnvironment.PodmanAsync("rmi", "-f", name);
        }
    }

    [IntegrationFact]
    public async Task A_fresh_runner_takes_a_clean_check_from_the_image_the_tag_names_and_downloads_no_base_layer()
    {
        // A native library that needs only the C library, checked clean against the aspnet base.
        using var sample = await SampleProject.CreateAsync();
        sample.AddNativeLibrary();
        await using var proxy = await FaultProxy.StartAsync($"http://{TestEnvironment.Registry}");
        var repository = TestEnvironment.UniqueRepository("native-fresh");
        string[] properties = [$"ContainerBaseImage={proxy.Address}/dotnet/aspnet:10.0", $"ContainerRegistry={proxy.Address}", $"ContainerRepository={repository}", "-v:d"];

        var first = await sample.PublishImageAsync(properties);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Empty(WarningLines(first, "CB4007"));
        var config = await TestEnvironment.SkopeoAsync("inspect", "--tls-verify=false", "--config", $"docker://{TestEnvironment.Registry}/{repository}:latest");
        Assert.True(config.ExitCode == 0, config.ToString());
        Assert.True(Regex.IsMatch(config.Output, @"Containers\.Build: native libraries checked, none missing; check key sha256:[0-9a-f]{64}"), config.Output + first.Output);

        // A fresh runner: no obj/ and no machine cache, so no file list of the base's layers. The image the tag names records the same check.
        sample.ForgetBuildState();
        proxy.Seen.Clear();
        var fresh = await sample.PublishImageAsync(properties);
        Assert.True(fresh.ExitCode == 0, fresh.ToString());
        Assert.Equal(SampleProject.PushedDigest(first), SampleProject.PushedDigest(fresh));
        Assert.Contains("Native libraries: 1 image(s) as checked before", fresh.Output, StringComparison.Ordinal);
        Assert.Contains("uploaded 0 blobs, 0 B", fresh.Output, StringComparison.Ordinal);
        // The base's config is read (the image is composed on it); none of its layers is.
        var baseLayers = await TestEnvironment.AspNetLayerDigestsAsync();
        Assert.DoesNotContain(proxy.Seen, r => r.Method == "GET" && baseLayers.Any(layer => r.PathAndQuery.EndsWith("/blobs/" + layer, StringComparison.Ordinal)));

        // The next commit, on a fresh runner: new code, a new time, another image. The check reads the same file names and
        // native files, so its key is the same: the record of the image before stands, and the base is not downloaded.
        sample.ForgetBuildState();
        sample.ReplaceInProgram("Hello", "Hello again");
        proxy.Seen.Clear();
        var next = await sample.PublishImageAsync(new Dictionary<string, string?> { ["SOURCE_DATE_EPOCH"] = "1700086400" }, properties);
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.NotEqual(SampleProject.PushedDigest(first), SampleProject.PushedDigest(next));
        Assert.Contains("Native libraries: 1 image(s) as checked before", next.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(proxy.Seen, r => r.Method == "GET" && baseLayers.Any(layer => r.PathAndQuery.EndsWith("/blobs/" + layer, StringComparison.Ordinal)));
    }

    private static string[] WarningLines(ProcessResult result, string code)
        => result.Output.Split('\n').Where(l => l.Contains($"warning {code}", StringComparison.Ordinal)).Select(l => l.Trim()).Distinct().ToArray();

    /// <summary>libfontconfig.so.1 and the libraries it needs that are not the C library's own, as this machine's loader finds them.</summary>
    private static async Task<(string Soname, string Path)[]> FontconfigLibrariesAsync()
    {
        const string fontconfig = "/usr/lib/x86_64-linux-gnu/libfontconfig.so.1";
        Assert.True(File.Exists(fontconfig), "libfontconfig1 is not installed (build/setup-test-env.sh installs it)");
        var ldd = await ProcessRunner.RunAsync("ldd", [fontconfig]);
        Assert.True(ldd.ExitCode == 0, ldd.ToString());
        var needed = Regex.Matches(ldd.Output, @"^\s*(\S+) => (\S+)", RegexOptions.Multiline)
            .Select(m => (Soname: m.Groups[1].Value, Path: m.Groups[2].Value))
            .Where(l => !Regex.IsMatch(l.Soname, @"^(libc|libm|libpthread|libdl|librt|ld-linux.*)\.so"));
        return [("libfontconfig.so.1", fontconfig), .. needed];
    }
}
