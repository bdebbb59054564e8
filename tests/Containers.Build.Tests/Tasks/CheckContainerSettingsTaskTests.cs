using Containers.Build.Tasks;
using Containers.Build.Tests.Support;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Containers.Build.Tests.Tasks;

/// <summary>The check that runs before anything compiles: the settings item's metadata, every property-only rule, one code per failure.</summary>
public class CheckContainerSettingsTaskTests
{
    private readonly FakeBuildEngine _engine = new();

    private CheckContainerSettings Task(params (string Name, string Value)[] settings)
    {
        var items = new SettingItems()
            .Set("BaseImage", "127.0.0.1:5000/dotnet/aspnet:10.0")
            .Set("Registry", "127.0.0.1:5000")
            .Set("AssemblyName", "WebApp")
            .Set("RuntimeIdentifier", "linux-x64");
        foreach (var (name, value) in settings)
        {
            items.Set(name, value);
        }
        return new CheckContainerSettings { BuildEngine = _engine, Settings = items.ToItems() };
    }

    [Fact]
    public void Valid_settings_pass_without_a_publish_folder()
    {
        Assert.True(Task(("ImageTags", "1.0;latest"), ("PublishPlatformTags", "true"), ("RuntimeIdentifiers", "linux-x64;linux-arm64;linux-x64")).Execute());
        Assert.True(Task(("Registry", "127.0.0.1:5000;registry.example.com,localhost:5001")).Execute());
        Assert.Empty(_engine.Errors);
    }

    [Theory]
    [InlineData("ImageTag", "bad tag!", "CB1006", "ContainerImageTag has an invalid tag 'bad tag!'")]
    [InlineData("Registry", "https://registry.example.com", "CB1003", "ContainerRegistry 'https://registry.example.com'")]
    [InlineData("Registry", "127.0.0.1:5000;registry.example.com/team", "CB1003", "ContainerRegistry entry 'registry.example.com/team'")]
    [InlineData("Registry", "127.0.0.1:5000;;registry.example.com", "CB1003", "ContainerRegistry '127.0.0.1:5000;;registry.example.com' has an empty entry")]
    [InlineData("RuntimeIdentifier", "osx-arm64", "CB1008", "'osx-arm64'")]
    [InlineData("RuntimeIdentifiers", "linux-x64;linux-musl-x64", "CB1023", "linux-x64 and linux-musl-x64")]
    [InlineData("ImageFormat", "tarball", "CB1009", "ContainerImageFormat 'tarball'")]
    [InlineData("Layering", "perfile", "CB1017", "ContainerLayering 'perfile'")]
    [InlineData("FileOwner", "nobody", "CB1018", "ContainerFileOwner 'nobody'")]
    [InlineData("WorkingDirectory", "app", "CB1105", "ContainerWorkingDirectory 'app'")]
    [InlineData("User", "a:b:c", "CB1101", "ContainerUser 'a:b:c'")]
    [InlineData("UploadChunkSize", "1k", "CB1021", "ContainerUploadChunkSize '1k'")]
    [InlineData("RegistryCaCertificates", "/nonexistent/ca.pem", "CB1022", "ContainerRegistryCaCertificates '/nonexistent/ca.pem' does not exist")]
    [InlineData("InsecureRegistries", "ok:5000;http://bad", "CB1024", "ContainerInsecureRegistries entry 'http://bad'")]
    [InlineData("LocalRegistry", "containerd", "CB1019", "LocalRegistry 'containerd'")]
    [InlineData("RegistryTimeout", "soon", "CB1025", "ContainerRegistryTimeout 'soon'")]
    [InlineData("RegistryTimeout", "0", "CB1025", "ContainerRegistryTimeout '0'")]
    [InlineData("RegistryTimeout", "-5", "CB1025", "ContainerRegistryTimeout '-5'")]
    [InlineData("RegistryTimeout", "1.5", "CB1025", "ContainerRegistryTimeout '1.5'")]
    public void A_bad_setting_is_its_coded_error_naming_the_value(string name, string value, string code, string text)
    {
        Assert.False(Task((name, value)).Execute());
        var error = Assert.Single(_engine.Errors);
        Assert.Equal(code, error.Code);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 60)]
    [InlineData("", 60)]
    [InlineData(" 2 ", 2)]
    [InlineData("600", 600)]
    public void ContainerRegistryTimeout_is_whole_seconds(string? value, int seconds)
        => Assert.Equal(TimeSpan.FromSeconds(seconds), ImageRequestParser.ParseRegistryTimeout(value));

    [Fact]
    public void Item_settings_are_checked_too()
    {
        var task = Task();
        task.Ports = [new TaskItem("80/sctp")];
        Assert.False(task.Execute());
        Assert.Equal(DiagnosticCodes.PortInvalid, Assert.Single(_engine.Errors).Code);

        var mirrors = Task();
        mirrors.RegistryMirrors = [new TaskItem("mcr.microsoft.com")];
        Assert.False(mirrors.Execute());
        Assert.Equal(DiagnosticCodes.RegistryMirrorInvalid, _engine.Errors[^1].Code);
    }

    [Fact]
    public void A_property_set_directly_wins_over_the_settings_item()
    {
        var task = Task(("ImageTag", "bad tag!"));
        task.ImageTag = "good";
        Assert.True(task.Execute());
    }
}
