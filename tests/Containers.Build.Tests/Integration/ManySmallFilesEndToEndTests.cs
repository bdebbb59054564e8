using System.Globalization;
using System.Text.RegularExpressions;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// What the image step allocates for each published file, through the package as users get it. Its task assembly is
/// precompiled (ReadyToRun), and precompiled code can allocate where the same code jitted does not: a generic range
/// search boxed its two bounds on every call, 14 MB on a folder of 50,000 files, which <c>LayerAllocationTests</c> (jitted
/// code, in the test process) could not see. In MSBuild's process what the step allocates stays resident until the next
/// collection, so it is the step's share of the build's peak memory (docs/benchmarks.md).
/// </summary>
public partial class ManySmallFilesEndToEndTests
{
    [IntegrationFact]
    public async Task Each_more_published_file_costs_the_image_step_a_few_hundred_bytes()
    {
        using var sample = await SampleProject.CreateAsync();
        File.WriteAllText(Path.Combine(sample.Root, "Directory.Build.targets"), """
            <Project>
              <ItemGroup>
                <None Include="content/**" CopyToPublishDirectory="PreserveNewest" />
              </ItemGroup>
            </Project>
            """);
        var written = 0;

        async Task<double> AllocatedWith(int files)
        {
            for (; written < files; written++)
            {
                var path = Path.Combine(sample.ProjectDirectory, "content", $"d{written % 50:00}", $"file{written:00000}.txt");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, string.Concat(Enumerable.Repeat($"line {written} of a small text file in a content-heavy app\n", 20 + written % 60)));
            }
            // Every layer written afresh each time, as on a fresh runner: no layer cache, a new repository.
            sample.ForgetBuildState();
            var result = await sample.PublishImageAsync($"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.AspNetBase}",
                $"ContainerRepository={TestEnvironment.UniqueRepository("many-files")}", "-v:d");
            Assert.True(result.ExitCode == 0, result.ToString());
            var match = AllocatedPattern().Match(result.Output);
            Assert.True(match.Success, result.ToString());
            return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * 1e6;
        }

        const int Few = 1_000, Many = 11_000;
        var few = await AllocatedWith(Few);
        var many = await AllocatedWith(Many);

        // What the step allocates apart from the files (the base's manifests, the registry's answers) is the same in both.
        // Measured 250–260 bytes a file; 710 when each file had a full path, a handle and a stream of its own, the hash and
        // the secret scan's reading were objects and the items were copied; 1,000 with the range search that boxed as well.
        var perFile = (many - few) / (Many - Few);
        Assert.True(perFile < 350, $"{perFile:F0} bytes a file ({few / 1e6:F1} MB with {Few} files, {many / 1e6:F1} MB with {Many})");
    }

    [GeneratedRegex(@"Image step \d+ ms, (\d+\.\d) MB allocated:")]
    private static partial Regex AllocatedPattern();
}
