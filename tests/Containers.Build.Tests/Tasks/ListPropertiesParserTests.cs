using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Tasks;

/// <summary>Item lists given as properties (for the command line): entries become items, and beat project items of the same name.</summary>
public class ListPropertiesParserTests : IDisposable
{
    private readonly TempDirectory _publish = new("cb-list-properties");

    public void Dispose() => _publish.Dispose();

    private ImageRequestParser.Inputs Valid => new()
    {
        BaseImage = "127.0.0.1:5000/dotnet/aspnet:10.0",
        Registry = "127.0.0.1:5000",
        AssemblyName = "WebApp",
        PublishDirectory = _publish.Path,
        AppCommand = ["dotnet", "/app/WebApp.dll"],
    };

    private static (string, string)[] Entries(string property, params string[] escaped) => escaped.Select(e => (property, e)).ToArray();

    [Fact]
    public void Variables_and_labels_split_at_the_first_equals_sign_and_replace_project_items_of_their_name()
    {
        var inputs = Valid with
        {
            Environment = [KeyValuePair.Create("A", "from the project"), KeyValuePair.Create("KEEP", "1")],
            Labels = [KeyValuePair.Create("team", "web")],
            // As MSBuild hands them over: split on ';', still escaped.
            ListEntries = [.. Entries("ContainerEnvironmentVariables", "A=1", "B=x=y", "C=semi%3Bcolon", "EMPTY="), .. Entries("ContainerLabels", "team=payments", "com.example.note=a=b")],
        };

        var settings = ImageRequestParser.Parse(inputs, _ => { }).Settings;

        Assert.Equal([("KEEP", "1"), ("A", "1"), ("B", "x=y"), ("C", "semi;colon"), ("EMPTY", "")], settings.Environment.Select(e => (e.Key, e.Value)));
        Assert.Equal([("team", "payments"), ("com.example.note", "a=b")], settings.Labels.Select(l => (l.Key, l.Value)));
    }

    [Fact]
    public void An_escaped_equals_sign_stays_in_the_name_which_is_then_checked()
    {
        var e = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.Parse(Valid with { ListEntries = Entries("ContainerEnvironmentVariables", "D%3DE=f") }, _ => { }));
        Assert.Equal(DiagnosticCodes.EnvironmentVariableInvalid, e.Code);
        Assert.Contains("'D=E'", e.Message, StringComparison.Ordinal);
        var label = ImageRequestParser.Parse(Valid with { ListEntries = Entries("ContainerLabels", "k%3Dv=w") }, _ => { }).Settings.Labels;
        Assert.Equal(("k=v", "w"), (label[0].Key, label[0].Value));
    }

    [Fact]
    public void Ports_volumes_directories_and_layers_become_their_items()
    {
        var inputs = Valid with
        {
            Ports = [("8080", "udp"), ("9000", null)],
            ContainerDirectories = [new ImageRequestParser.ContainerDirectoryInput("/data", "0700", "app")],
            ListEntries =
            [
                .. Entries("ContainerPorts", "8080", "9000/udp", "9000"),
                .. Entries("ContainerVolumes", "/data", "/logs"),
                .. Entries("ContainerDirectories", "/data/", "/cache"),
                .. Entries("ContainerLayers", "127.0.0.1:5000/apm/agent:1.4"),
            ],
        };

        var request = ImageRequestParser.Parse(inputs, _ => { });

        // A port number is an item's identity: the command line's 8080 replaces the project's 8080/udp.
        Assert.Equal(["8080/tcp", "9000/udp", "9000/tcp"], request.Settings.Ports.Select(p => p.ToString()));
        Assert.Equal(["/data", "/logs"], request.Settings.Volumes);
        // The command line's /data replaces the project's (and its mode and owner with it).
        Assert.Equal(["cache", "data"], request.ExtraFiles.Directories.Select(d => d.ContainerPath).Order(StringComparer.Ordinal));
        Assert.All(request.ExtraFiles.Directories, d => Assert.Equal(0x1ED, d.Mode));
        Assert.Equal("127.0.0.1:5000/apm/agent:1.4", Assert.Single(request.LayerImports).Item);
    }

    [Theory]
    [InlineData("ContainerEnvironmentVariables", "JUSTANAME", "CB1040", "'JUSTANAME'")]
    [InlineData("ContainerLabels", "=value", "CB1040", "its name is empty")]
    [InlineData("ContainerPorts", "80x", "CB1011", "'80x'")]
    [InlineData("ContainerVolumes", "relative", "CB1038", "'relative'")]
    public void A_malformed_entry_is_a_coded_error_naming_it(string property, string entry, string code, string named)
    {
        var e = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.CheckSettings(Valid with { ListEntries = Entries(property, entry) }, ["linux-x64"], false, _ => { }));
        Assert.Equal(code, e.Code);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }
}
