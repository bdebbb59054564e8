using System.Text.RegularExpressions;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>A copy of samples/WebApp in a temporary folder, restoring Containers.Build from the test feed.</summary>
public sealed partial class SampleProject : IDisposable
{
    private readonly TempDirectory _directory = new("cb-sample");

    private SampleProject(string feed, string version)
    {
        Feed = feed;
        Version = version;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(TestEnvironment.RepositoryRoot, "samples", "WebApp")))
        {
            File.Copy(file, Path.Combine(ProjectDirectory, Path.GetFileName(file)));
        }
        File.WriteAllText(_directory.Combine("nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="containers-build-test" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        // Stop MSBuild from importing anything from above the temporary folder.
        File.WriteAllText(_directory.Combine("Directory.Build.props"), "<Project />");
        File.WriteAllText(_directory.Combine("Directory.Build.targets"), "<Project />");
    }

    public string Feed { get; }
    public string Version { get; }
    public string ProjectDirectory => _directory.Path;
    public string ProjectFile => _directory.Combine("WebApp.csproj");

    public static async Task<SampleProject> CreateAsync()
    {
        var (feed, version) = await PackageFeed.GetAsync();
        return new SampleProject(feed, version);
    }

    public void ReplaceInProgram(string oldText, string newText)
    {
        var program = _directory.Combine("Program.cs");
        File.WriteAllText(program, File.ReadAllText(program).Replace(oldText, newText, StringComparison.Ordinal));
    }

    /// <summary>Runs <c>dotnet publish -c Release -t:PublishImage</c> with the given properties.</summary>
    public Task<ProcessResult> PublishImageAsync(params string[] properties)
    {
        var arguments = new List<string> { "publish", ProjectFile, "-c", "Release", "-t:PublishImage", $"-p:ContainersBuildVersion={Version}", "-nodeReuse:false", "-tl:off" };
        arguments.AddRange(properties.Select(p => "-p:" + p));
        return ProcessRunner.RunAsync("dotnet", arguments, ProjectDirectory);
    }

    /// <summary>The manifest digest from the task's summary line.</summary>
    public static string PushedDigest(ProcessResult result)
    {
        var match = PushedPattern().Match(result.Output);
        Assert.True(match.Success, "No 'Pushed ...@sha256:' summary in the output:\n" + result);
        return match.Groups["digest"].Value;
    }

    [GeneratedRegex(@"Pushed \S+@(?<digest>sha256:[0-9a-f]{64})")]
    private static partial Regex PushedPattern();

    public void Dispose() => _directory.Dispose();
}
