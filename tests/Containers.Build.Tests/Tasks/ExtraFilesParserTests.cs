using Containers.Build.Layers;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;
using static Containers.Build.Tasks.ImageRequestParser;

namespace Containers.Build.Tests.Tasks;

/// <summary>ContainerFile and ContainerDirectory items: destinations, globs, modes, owners, and their coded errors.</summary>
public sealed class ExtraFilesParserTests : IDisposable
{
    private readonly TempDirectory _publish = new("cb-publish");

    public void Dispose() => _publish.Dispose();

    private Inputs Valid => new()
    {
        BaseImage = "127.0.0.1:5000/dotnet/aspnet:10.0",
        Registry = "127.0.0.1:5000",
        AssemblyName = "WebApp",
        PublishDirectory = _publish.Path,
        AppCommand = ["dotnet", "/app/WebApp.dll"],
    };

    private static ContainerFileInput File(string item, string? destination, string? mode = null, string? owner = null, string recursiveDir = "")
        => new(item, "/src/" + item, destination, recursiveDir, Path.GetFileName(item), mode, owner);

    private ContainersBuildException Error(Inputs inputs)
    {
        // The same rule before the compile (CheckContainerSettings) and at publish.
        var check = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.CheckSettings(inputs, ["linux-x64"], false, _ => { }));
        var parse = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.Parse(inputs, _ => { }));
        Assert.Equal((check.Code, check.Message), (parse.Code, parse.Message));
        return parse;
    }

    [Fact]
    public void Items_give_paths_modes_and_owners_with_defaults()
    {
        var request = ImageRequestParser.Parse(Valid with
        {
            ContainerFiles =
            [
                File("config/app.json", "/etc/app/app.json", "0640", "app"),
                // A glob under a Destination ending in '/': %(RecursiveDir) is kept.
                File("certs/ca.pem", "/etc/ssl/extra/"),
                File("certs/internal/root.pem", "/etc/ssl/extra/", recursiveDir: "internal/"),
                File("run.sh", "/usr/local/bin/run", "755", "1000:2000"),
            ],
            ContainerDirectories = [new("/data/", "0775", "APP"), new("/var/cache/app", null, "42"), new("/scratch", "1777", "root")],
        }, _ => { });

        var files = request.ExtraFiles.Files;
        Assert.Equal(["etc/app/app.json", "etc/ssl/extra/ca.pem", "etc/ssl/extra/internal/root.pem", "usr/local/bin/run"], files.Select(f => f.ContainerPath));
        Assert.Equal([0b110_100_000, null, null, 0b111_101_101], files.Select(f => f.Mode));
        Assert.Equal([LayerOwner.AppUser, LayerOwner.Root, LayerOwner.Root, new LayerOwner(1000, 2000, false)], files.Select(f => f.Owner));
        Assert.Equal("/src/config/app.json", files[0].SourcePath);
        var directories = request.ExtraFiles.Directories;
        Assert.Equal(["data", "var/cache/app", "scratch"], directories.Select(d => d.ContainerPath));
        Assert.Equal([0b111_111_101, LayerEntry.DirectoryMode, 0b1_111_111_111], directories.Select(d => d.Mode));
        Assert.Equal([LayerOwner.AppUser, new LayerOwner(42, null, false), LayerOwner.Root], directories.Select(d => d.Owner));
        Assert.True(request.ExtraFiles.NeedsAppUser);
        Assert.True(ImageRequestParser.Parse(Valid, _ => { }).ExtraFiles.IsEmpty);
    }

    [Theory]
    [InlineData("etc/app.json")]
    [InlineData("/etc/../app.json")]
    [InlineData("/etc/./app.json")]
    [InlineData("/etc//app.json")]
    [InlineData("")]
    [InlineData("C:\\app\\app.json")]
    public void A_destination_that_is_not_a_clean_absolute_path_is_CB1030(string destination)
    {
        var error = Error(Valid with { ContainerFiles = [File("config/app.json", destination)] });
        Assert.Equal("CB1030", error.Code);
        Assert.Contains("ContainerFile 'config/app.json'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_that_is_not_absolute_is_CB1030()
    {
        var error = Error(Valid with { ContainerDirectories = [new("data/../x", null, null)] });
        Assert.Equal("CB1030", error.Code);
        Assert.Contains("ContainerDirectory 'data/../x'", error.Message, StringComparison.Ordinal);
        Assert.Equal("CB1030", Error(Valid with { ContainerDirectories = [new("/", null, null)] }).Code);
        Assert.Equal("CB1030", Error(Valid with { ContainerDirectories = [new("/data/./x", null, null)] }).Code);
    }

    [Fact]
    public void A_whiteout_name_is_CB1031_also_when_a_glob_brings_it()
    {
        Assert.Equal("CB1031", Error(Valid with { ContainerFiles = [File("x", "/etc/.wh.passwd")] }).Code);
        var error = Error(Valid with { ContainerFiles = [File("certs/.wh.ca", "/etc/certs/")] });
        Assert.Equal("CB1031", error.Code);
        Assert.Contains("ContainerFile 'certs/.wh.ca'", error.Message, StringComparison.Ordinal);
        Assert.Equal("CB1031", Error(Valid with { ContainerDirectories = [new("/.wh..wh..opq", null, null)] }).Code);
    }

    [Theory]
    [InlineData("0648")]
    [InlineData("rw-r--r--")]
    [InlineData("64")]
    [InlineData("017777")]
    [InlineData("0x1ff")]
    public void A_mode_that_is_not_octal_is_CB1032(string mode)
    {
        var error = Error(Valid with { ContainerFiles = [File("config/app.json", "/etc/app.json", mode)] });
        Assert.Equal("CB1032", error.Code);
        Assert.Contains($"'{mode}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ContainerFile 'config/app.json'", error.Message, StringComparison.Ordinal);
        Assert.Equal("CB1032", Error(Valid with { ContainerDirectories = [new("/data", mode, null)] }).Code);
    }

    [Theory]
    [InlineData("www-data")]
    [InlineData("-1")]
    [InlineData("1000:")]
    [InlineData("1:2:3")]
    public void An_owner_that_is_not_root_app_or_numeric_is_CB1033(string owner)
    {
        var error = Error(Valid with { ContainerDirectories = [new("/data", null, owner)] });
        Assert.Equal("CB1033", error.Code);
        Assert.Contains("ContainerDirectory '/data'", error.Message, StringComparison.Ordinal);
        Assert.Equal("CB1033", Error(Valid with { ContainerFiles = [File("a.json", "/etc/a.json", owner: owner)] }).Code);
    }

    [Fact]
    public void Two_items_at_one_path_are_CB1034_naming_both()
    {
        // A glob of several files with a Destination that is not a directory.
        var error = Error(Valid with { ContainerFiles = [File("certs/a.pem", "/etc/ca.pem"), File("certs/b.pem", "/etc/ca.pem")] });
        Assert.Equal("CB1034", error.Code);
        Assert.Contains("ContainerFile 'certs/a.pem'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ContainerFile 'certs/b.pem'", error.Message, StringComparison.Ordinal);
        var mixed = Error(Valid with { ContainerFiles = [File("data", "/data")], ContainerDirectories = [new("/data/", null, null)] });
        Assert.Equal("CB1034", mixed.Code);
        Assert.Contains("ContainerDirectory '/data/'", mixed.Message, StringComparison.Ordinal);
    }
}
