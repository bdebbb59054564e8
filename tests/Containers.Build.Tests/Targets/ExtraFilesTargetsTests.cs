using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Targets;

/// <summary>@(ContainerFile), @(ContainerDirectory), @(ContainerLayer), the item lists given as properties and the run settings reach the check that runs before the compile.</summary>
[Collection(InProcessMSBuild.Name)]
public class ExtraFilesTargetsTests
{
    [Fact]
    public void A_bad_destination_fails_the_settings_check_naming_the_item()
    {
        using var project = TargetsProject.Create(items: """<ContainerFile Include="config/app.json" Destination="etc/app.json" />""");
        var (success, _, log) = project.Build("_ContainersBuildCheckSettings");
        Assert.False(success);
        var error = Assert.Single(log.Errors);
        Assert.Equal("CB1030", error.Code);
        Assert.Contains("ContainerFile 'config/app.json'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_glob_keeps_its_recursive_directory_under_a_destination_ending_in_a_slash()
    {
        using var project = TargetsProject.Create(items: """<ContainerFile Include="certs/**" Destination="/etc/certs/" />""");
        var directory = Path.GetDirectoryName(project.ProjectFile)!;
        Directory.CreateDirectory(Path.Combine(directory, "certs", "internal"));
        File.WriteAllText(Path.Combine(directory, "certs", "internal", ".wh.root.pem"), "x");
        var (success, _, log) = project.Build("_ContainersBuildCheckSettings");
        Assert.False(success);
        var error = Assert.Single(log.Errors);
        Assert.Equal("CB1031", error.Code);
        Assert.Contains("'/etc/certs/internal/.wh.root.pem'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_directory_mode_fails_the_settings_check()
    {
        using var project = TargetsProject.Create(items: """<ContainerDirectory Include="/data" Mode="0999" Owner="app" />""");
        var (success, _, log) = project.Build("_ContainersBuildCheckSettings");
        Assert.False(success);
        Assert.Equal("CB1032", Assert.Single(log.Errors).Code);
    }

    [Fact]
    public void A_container_layer_with_a_malformed_digest_fails_the_settings_check_naming_the_item()
    {
        using var project = TargetsProject.Create(items: """<ContainerLayer Include="registry.example.com/apm/agent:1.4" Digest="sha256:12" />""");
        var (success, _, log) = project.Build("_ContainersBuildCheckSettings");
        Assert.False(success);
        var error = Assert.Single(log.Errors);
        Assert.Equal("CB1036", error.Code);
        Assert.Contains("ContainerLayer 'registry.example.com/apm/agent:1.4' has Digest 'sha256:12'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<ContainerEnvironmentVariables>A=1;JUSTNAME</ContainerEnvironmentVariables>", "CB1040", "'JUSTNAME'")]
    // Read escaped: %3D stays in the name (read unescaped, "D=E=f" would pass as D with the value "E=f").
    [InlineData("<ContainerEnvironmentVariables>D%3DE=f</ContainerEnvironmentVariables>", "CB1012", "'D=E'")]
    [InlineData("<ContainerPorts>8080;http</ContainerPorts>", "CB1011", "'http'")]
    // A '*' is a value, not a file wildcard (which would match nothing and drop the entry without a word).
    [InlineData("<ContainerEnvironmentVariables>A=1;*NOEQUALS</ContainerEnvironmentVariables>", "CB1040", "'*NOEQUALS'")]
    [InlineData("<ContainerHealthCheckInterval>30</ContainerHealthCheckInterval><ContainerHealthCheckCommand>true</ContainerHealthCheckCommand>", "CB1037", "'30'")]
    [InlineData("<ContainerStopSignal>SIGFOO</ContainerStopSignal>", "CB1039", "'SIGFOO'")]
    public void Item_lists_as_properties_and_run_settings_are_checked_before_the_compile(string properties, string code, string named)
    {
        using var project = TargetsProject.Create(properties: properties);
        var (success, _, log) = project.Build("_ContainersBuildCheckSettings");
        Assert.False(success);
        var error = Assert.Single(log.Errors);
        Assert.Equal(code, error.Code);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
