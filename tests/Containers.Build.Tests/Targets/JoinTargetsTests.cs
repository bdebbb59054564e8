using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Targets;

/// <summary>
/// The JoinImage target on a real project, run in process by the SDK's MSBuild with no restore and no compile: its
/// images come from ContainerJoinImages (wildcards expanded, from the project's folder) and ContainerJoinImage items.
/// </summary>
[Collection(InProcessMSBuild.Name)]
public class JoinTargetsTests
{
    private static BuildLog Fail(TargetsProject project, Dictionary<string, string> global)
    {
        var (success, _, log) = project.Build("JoinImage", global);
        Assert.False(success, log.ToString());
        return log;
    }

    [Fact]
    public void A_wildcard_in_ContainerJoinImages_names_each_facts_file_it_matches_and_the_items_add_theirs()
    {
        using var project = TargetsProject.Create(items: """<ContainerJoinImage Include="extra/container-image.json" />""");
        var directory = Path.GetDirectoryName(project.ProjectFile)!;
        foreach (var runner in new[] { "linux-arm64", "linux-x64" })
        {
            Directory.CreateDirectory(Path.Combine(directory, "facts", runner));
            File.WriteAllText(Path.Combine(directory, "facts", runner, "container-image.json"), "not the facts");
        }

        var global = new Dictionary<string, string> { ["ContainerJoinImages"] = "facts/*/container-image.json;127.0.0.1:1/app@sha256:" + new string('a', 64), ["ContainerRegistry"] = "127.0.0.1:1" };

        var (success, instance, inputsLog) = project.Build("_ContainersBuildJoinInputs", global);
        Assert.True(success, inputsLog.ToString());
        Assert.Equal(
            ["127.0.0.1:1/app@sha256:" + new string('a', 64), "extra/container-image.json", Path.Combine("facts", "linux-arm64", "container-image.json"), Path.Combine("facts", "linux-x64", "container-image.json")],
            instance.GetItems("_ContainersBuildJoinImage").Select(i => i.EvaluatedInclude).Order(StringComparer.Ordinal));
        // The join's own facts go where PublishImage's would.
        Assert.Equal(Path.Combine(directory, "obj", "Debug", "net10.0", "container-image.json"), instance.GetPropertyValue("ContainerImageFactsPath"));

        var log = Fail(project, global);

        // The task gets each file the wildcard matched: not the facts a publish writes.
        var error = Assert.Single(log.Errors);
        Assert.Equal(DiagnosticCodes.JoinFactsUnreadable, error.Code);
        Assert.Matches(@"facts/linux-(arm64|x64)/container-image\.json cannot be read", error.Message);
        // Nothing was compiled: the target needs only the settings.
        Assert.DoesNotContain(log.Messages, m => m.Contains("App.dll", StringComparison.Ordinal));
    }

    [Fact]
    public void No_image_or_a_wildcard_that_matches_nothing_is_CB1046()
    {
        using var project = TargetsProject.Create();

        var none = Assert.Single(Fail(project, new() { ["ContainerRegistry"] = "127.0.0.1:1" }).Errors);
        Assert.Equal(DiagnosticCodes.JoinImagesMissing, none.Code);
        Assert.Contains("none is named", none.Message, StringComparison.Ordinal);

        var unmatched = Assert.Single(Fail(project, new() { ["ContainerJoinImages"] = "facts/*/container-image.json", ["ContainerRegistry"] = "127.0.0.1:1" }).Errors);
        Assert.Equal(DiagnosticCodes.JoinImagesMissing, unmatched.Code);
        Assert.Contains("its wildcards matched no file", unmatched.Message, StringComparison.Ordinal);
    }
}
