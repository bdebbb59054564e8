using System.Runtime.CompilerServices;
using Microsoft.Build.Locator;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Containers.Build.Tests.Support.MSBuildTestFramework", "Containers.Build.Tests")]

namespace Containers.Build.Tests.Support;

/// <summary>
/// The test assembly does not ship MSBuild: the SDK that runs the tests is registered before anything touches an
/// MSBuild type (a task, a build engine, a project), so tasks and in-process project evaluation use the same
/// MSBuild as <c>dotnet build</c>.
/// </summary>
internal static class MSBuildRegistration
{
#pragma warning disable CA2255 // Also for code that runs the assembly without xunit's framework (a debugger, a script).
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        if (!MSBuildLocator.IsRegistered)
        {
            MSBuildLocator.RegisterDefaults();
        }
    }
}

/// <summary>
/// xunit's own framework, created before discovery reads the test types (some of which implement MSBuild
/// interfaces): its construction is the earliest point where MSBuild can be registered.
/// </summary>
public sealed class MSBuildTestFramework : XunitTestFramework
{
    public MSBuildTestFramework(IMessageSink messageSink) : base(messageSink) => MSBuildRegistration.Register();
}
