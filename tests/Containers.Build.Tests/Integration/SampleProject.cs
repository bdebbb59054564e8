using System.Text.RegularExpressions;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// A copy of a sample or fixture project (and its sibling projects) in a temporary folder, restoring
/// Containers.Build from the test feed.
/// </summary>
public sealed partial class SampleProject : IDisposable
{
    private readonly TempDirectory _directory;

    private SampleProject(string feed, string version, string projectFolder, IEnumerable<string> folders, bool allowNuGetOrg, string? root)
    {
        _directory = root is null ? new TempDirectory("cb-sample") : TempDirectory.At(root);
        Feed = feed;
        Version = version;
        foreach (var folder in folders)
        {
            CopyDirectory(Path.Combine(TestEnvironment.RepositoryRoot, folder), _directory.Combine(Path.GetFileName(folder)));
        }
        ProjectDirectory = _directory.Combine(Path.GetFileName(projectFolder));
        // A project folder, or a solution's folder (its .slnx) for fixtures that publish a whole solution.
        ProjectFile = Directory.GetFiles(ProjectDirectory, "*.csproj").SingleOrDefault() ?? Directory.GetFiles(ProjectDirectory, "*.slnx").Single();
        var nugetOrg = allowNuGetOrg ? """<add key="nuget.org" value="https://api.nuget.org/v3/index.json" />""" : "";
        File.WriteAllText(_directory.Combine("nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="containers-build-test" value="{feed}" />
                {nugetOrg}
              </packageSources>
            </configuration>
            """);
        // Stop MSBuild from importing anything from above the temporary folder.
        File.WriteAllText(_directory.Combine("Directory.Build.props"), "<Project />");
        File.WriteAllText(_directory.Combine("Directory.Build.targets"), "<Project />");
        File.WriteAllText(_directory.Combine("Directory.Packages.props"), "<Project />");
    }

    public string Feed { get; }
    public string Version { get; }
    public string Root => _directory.Path;
    public string ProjectDirectory { get; }
    public string ProjectFile { get; }

    /// <summary>
    /// This copy's machine-wide cache (ContainersBuildSharedCache, passed to every command it runs as an environment
    /// variable): each sample is a machine of its own, so no test sees the base file lists another test left.
    /// </summary>
    public string MachineCache => _directory.Combine("machine-cache");

    /// <summary>A fresh CI runner: a new clone on a new machine, with no obj/, no bin/ and no machine cache.</summary>
    public void ForgetBuildState()
    {
        foreach (var folder in new[] { Path.Combine(ProjectDirectory, "obj"), Path.Combine(ProjectDirectory, "bin"), MachineCache })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>
    /// Adds zlib (the file itself, not Debian's libz.so.1 link to it, which would go into the layer as a link to nothing)
    /// as a ContainerFile at /app/native/libz.so.1: a native library that needs only the C library, so the native check
    /// lists the base and passes on the aspnet image. Written as the copy's Directory.Build.targets.
    /// </summary>
    public void AddNativeLibrary()
    {
        Assert.True(File.Exists("/usr/lib/x86_64-linux-gnu/libz.so.1"), "zlib1g is not installed");
        var zlib = File.ResolveLinkTarget("/usr/lib/x86_64-linux-gnu/libz.so.1", returnFinalTarget: true)?.FullName ?? "/usr/lib/x86_64-linux-gnu/libz.so.1";
        File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), $"""
            <Project>
              <ItemGroup>
                <ContainerFile Include="{zlib}" Destination="/app/native/libz.so.1" />
              </ItemGroup>
            </Project>
            """);
    }

    private Dictionary<string, string?> WithMachineCache(IDictionary<string, string?>? environment)
    {
        var merged = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>());
        merged.TryAdd("ContainersBuildSharedCache", MachineCache);
        return merged;
    }

    /// <summary>samples/WebApp.</summary>
    public static Task<SampleProject> CreateAsync() => CreateAsync("samples/WebApp");

    /// <param name="projectFolder">The project's folder, relative to the repository root.</param>
    /// <param name="siblings">Folders of other projects it references, copied next to it.</param>
    /// <param name="root">Where to put the copy (a new temporary folder when null).</param>
    public static async Task<SampleProject> CreateAsync(string projectFolder, string[]? siblings = null, bool allowNuGetOrg = false, string? root = null)
    {
        var (feed, version) = await PackageFeed.GetAsync();
        return new SampleProject(feed, version, projectFolder, [projectFolder, .. siblings ?? []], allowNuGetOrg, root);
    }

    public void ReplaceInProgram(string oldText, string newText)
    {
        var program = Path.Combine(ProjectDirectory, "Program.cs");
        var text = File.ReadAllText(program);
        Assert.Contains(oldText, text, StringComparison.Ordinal);
        File.WriteAllText(program, text.Replace(oldText, newText, StringComparison.Ordinal));
    }

    /// <summary>Runs <c>dotnet publish -c Release -t:PublishImage</c> with the given properties.</summary>
    public Task<ProcessResult> PublishImageAsync(params string[] properties) => PublishImageAsync(null, properties);

    public Task<ProcessResult> PublishImageAsync(IDictionary<string, string?>? environment, params string[] properties)
    {
        var arguments = new List<string> { "publish", ProjectFile, "-c", "Release", "-t:PublishImage", $"-p:ContainersBuildVersion={Version}", "-nodeReuse:false", "-tl:off" };
        // Name=value pairs are properties; anything starting with '-' (such as -v:diag) is passed as it is.
        arguments.AddRange(properties.Select(p => p.StartsWith('-') ? p : "-p:" + p));
        return ProcessRunner.RunAsync("dotnet", arguments, ProjectDirectory, WithMachineCache(environment));
    }

    /// <summary>
    /// Runs <c>dotnet</c> with exactly the given arguments in the project's folder (the package version added), as a tool
    /// that drives the SDK would: Aspire's, azd's or Visual Studio's own command lines.
    /// </summary>
    public Task<ProcessResult> DotnetAsync(IEnumerable<string> arguments, IDictionary<string, string?>? environment = null)
        => ProcessRunner.RunAsync("dotnet", [.. arguments, $"-p:ContainersBuildVersion={Version}", "-nodeReuse:false"], ProjectDirectory, WithMachineCache(environment));

    /// <summary>
    /// Runs <c>dotnet msbuild -t:&lt;target&gt;</c> (Release) with the given properties: a target that needs no build
    /// (RebaseImage), on a project already restored.
    /// </summary>
    public Task<ProcessResult> MSBuildAsync(string target, params string[] properties)
    {
        var arguments = new List<string> { "msbuild", ProjectFile, $"-t:{target}", "-p:Configuration=Release", $"-p:ContainersBuildVersion={Version}", "-nodeReuse:false", "-tl:off" };
        arguments.AddRange(properties.Select(p => p.StartsWith('-') ? p : "-p:" + p));
        return ProcessRunner.RunAsync("dotnet", arguments, ProjectDirectory, WithMachineCache(null));
    }

    /// <summary>The manifest digest from the task's summary line.</summary>
    public static string PushedDigest(ProcessResult result)
    {
        var match = PushedPattern().Match(result.Output);
        Assert.True(match.Success, "No 'Pushed ...@sha256:' summary in the output:\n" + result);
        return match.Groups["digest"].Value;
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }
            var destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }

    /// <summary>The manifest digest from any destination's summary line (Pushed, Wrote, Loaded).</summary>
    public static string ReportedDigest(ProcessResult result)
    {
        var match = ReportedPattern().Match(result.Output);
        Assert.True(match.Success, "No '...@sha256:' summary in the output:\n" + result);
        return match.Groups["digest"].Value;
    }

    [GeneratedRegex(@"Pushed \S+@(?<digest>sha256:[0-9a-f]{64})")]
    private static partial Regex PushedPattern();

    [GeneratedRegex(@"(?:Pushed|Wrote|Loaded) .*?@(?<digest>sha256:[0-9a-f]{64})")]
    private static partial Regex ReportedPattern();

    public void Dispose() => _directory.Dispose();
}
