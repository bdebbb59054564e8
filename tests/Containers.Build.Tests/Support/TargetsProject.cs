using Containers.Build.Tasks;
using Microsoft.Build.Evaluation;
using Microsoft.Build.Execution;
using Microsoft.Build.Framework;

namespace Containers.Build.Tests.Support;

/// <summary>
/// A real project that imports the package's own props and targets (src/Sdk) as NuGet would, evaluated and built
/// in process by the SDK's MSBuild (registered through Microsoft.Build.Locator) with the freshly built task
/// assembly. No restore and no compile: only the configuration targets run.
/// </summary>
public sealed class TargetsProject : IDisposable
{
    private readonly TempDirectory _directory = new("cb-targets");

    private TargetsProject(string sdk, string properties, string items, string targets)
    {
        var sdkDirectory = Path.Combine(Integration.TestEnvironment.RepositoryRoot, "src", "Sdk");
        // Nothing from above the temporary folder (a Directory.Build.props of /tmp) may change the project.
        File.WriteAllText(_directory.Combine("Directory.Build.props"), "<Project />");
        File.WriteAllText(_directory.Combine("Directory.Build.targets"), "<Project />");
        ProjectFile = _directory.Combine("App.csproj");
        File.WriteAllText(ProjectFile, $"""
            <Project Sdk="{sdk}">
              <Import Project="{sdkDirectory}/build/Containers.Build.props" />
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <AssemblyName>App</AssemblyName>
                {properties}
              </PropertyGroup>
              <ItemGroup>
                {items}
              </ItemGroup>
              <!-- NuGet imports build/ in each framework's build, buildMultiTargeting/ in the outer one. -->
              <Import Project="{sdkDirectory}/build/Containers.Build.targets" Condition="'$(TargetFramework)' != ''" />
              <Import Project="{sdkDirectory}/buildMultiTargeting/Containers.Build.targets" Condition="'$(TargetFramework)' == ''" />
              {targets}
            </Project>
            """);
    }

    public string ProjectFile { get; }

    /// <param name="properties">Property elements for the project's PropertyGroup; TargetFramework is net10.0 unless given.</param>
    /// <param name="items">Item elements for its ItemGroup.</param>
    /// <param name="targets">Target elements of the project's own, after the package's targets.</param>
    public static TargetsProject Create(string properties = "", string items = "", string sdk = "Microsoft.NET.Sdk.Web", string targets = "")
        => new(sdk, properties.Contains("<TargetFramework", StringComparison.Ordinal) ? properties : "<TargetFramework>net10.0</TargetFramework>" + properties, items, targets);

    /// <summary>Runs the targets; the instance holds the computed properties and items, the log its errors.</summary>
    public (bool Success, ProjectInstance Instance, BuildLog Log) Build(string target = "ComputeContainersBuildConfig", IDictionary<string, string>? globalProperties = null)
    {
        var properties = new Dictionary<string, string>(globalProperties ?? new Dictionary<string, string>())
        {
            ["ContainersBuildTasksAssembly"] = typeof(ComputeContainerBaseImage).Assembly.Location,
        };
        using var collection = new ProjectCollection(properties);
        var instance = new ProjectInstance(ProjectFile, properties, null, collection);
        var log = new BuildLog();
        var success = instance.Build([target], [log]);
        return (success, instance, log);
    }

    public void Dispose() => _directory.Dispose();
}

/// <summary>Collects a build's errors, warnings and messages, for assertions and failure messages.</summary>
public sealed class BuildLog : ILogger
{
    public List<BuildErrorEventArgs> Errors { get; } = [];
    public List<BuildWarningEventArgs> Warnings { get; } = [];
    public List<string> Messages { get; } = [];

    public LoggerVerbosity Verbosity { get; set; } = LoggerVerbosity.Normal;
    public string? Parameters { get; set; }

    public void Initialize(IEventSource eventSource)
    {
        eventSource.ErrorRaised += (_, e) => Errors.Add(e);
        eventSource.WarningRaised += (_, e) => Warnings.Add(e);
        eventSource.MessageRaised += (_, e) => { if (e.Importance == MessageImportance.High) Messages.Add(e.Message ?? ""); };
    }

    public void Shutdown() { }

    public override string ToString()
        => string.Join(Environment.NewLine, Errors.Select(e => $"error {e.Code}: {e.Message}").Concat(Warnings.Select(w => $"warning {w.Code}: {w.Message}")).Concat(Messages));
}
