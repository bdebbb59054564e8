using Containers.Build.Layers;
using Containers.Build.Native;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Native;

/// <summary>The directories the image's ld.so.conf and ld.so.conf.d name, which the native check looks in too.</summary>
public class LoaderConfigurationTests
{
    private static LayerPath Text(string path, string text) => new(path, LayerPathKind.File) { Text = text };

    private static LayerPath Dir(string path) => new(path, LayerPathKind.Directory);

    [Fact]
    public void The_main_file_its_includes_and_every_conf_file_of_the_folder_name_directories_comments_and_hwcap_lines_do_not()
    {
        var image = ImageFileSystem.From([
        [
            Dir("etc"),
            Text("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n# a comment\n/usr/X11R6/lib\nhwcap 1 nosegneg\ninclude extra/*.list\n"),
            Dir("etc/ld.so.conf.d"),
            Text("etc/ld.so.conf.d/a.conf", "/opt/a/lib # trailing comment\n/opt/b/lib:/opt/c/lib,/opt/d/lib\t/opt/e/lib/\nrelative/lib\n"),
            Text("etc/ld.so.conf.d/b.txt", "/opt/not-a-conf-file"),
            Dir("etc/extra"),
            Text("etc/extra/vendor.list", "/opt/vendor/lib"),
        ],
        [
            // An upper layer deletes a.conf and brings a conf file of its own.
            new LayerPath("etc/ld.so.conf.d/.wh.a.conf", LayerPathKind.File),
            Text("etc/ld.so.conf.d/z.conf", "/opt/z/lib"),
        ]]);

        // In the order the loader reads them: the include on the first line comes first.
        Assert.Equal(["/opt/z/lib", "/usr/X11R6/lib", "/opt/vendor/lib"], LoaderConfiguration.DirectoriesOf(image));
    }

    [Fact]
    public void A_conf_file_the_main_file_does_not_include_still_counts_and_an_include_loop_ends()
    {
        var image = ImageFileSystem.From([
        [
            Dir("etc"),
            Text("etc/ld.so.conf", "include /etc/ld.so.conf\n/opt/main/lib"),
            Dir("etc/ld.so.conf.d"),
            Text("etc/ld.so.conf.d/libc.conf", "/usr/local/lib"),
        ]]);

        Assert.Equal(["/opt/main/lib", "/usr/local/lib"], LoaderConfiguration.DirectoriesOf(image));
        Assert.Empty(LoaderConfiguration.DirectoriesOf(ImageFileSystem.From([[Dir("usr")]])));
    }

    [Theory]
    [InlineData("etc/ld.so.conf", true)]
    [InlineData("etc/ld.so.conf.d/x86_64-linux-gnu.conf", true)]
    [InlineData("etc/ld.so.conf.d/sub/x.conf", false)]
    [InlineData("etc/ld.so.conf.d/x.conf.bak", false)]
    [InlineData("etc/ld.so.cache", false)]
    [InlineData("app/etc/ld.so.conf", false)]
    public void Only_the_main_file_and_the_folders_conf_files_are_configuration(string path, bool expected)
        => Assert.Equal(expected, LoaderConfiguration.IsConfigurationPath(path));

    [Fact]
    public void An_app_layers_configuration_file_is_read_from_its_source_and_any_other_entry_gives_no_text()
    {
        using var folder = new TempDirectory("cb-ldconf");
        var source = folder.WriteFile("vendor.conf", "/opt/vendor/lib\n");

        Assert.Equal("/opt/vendor/lib\n", LoaderConfiguration.TextOf(LayerEntry.File("etc/ld.so.conf.d/vendor.conf", source, executable: false)));
        Assert.Null(LoaderConfiguration.TextOf(LayerEntry.File("app/vendor.conf", source, executable: false)));
        Assert.Null(LoaderConfiguration.TextOf(LayerEntry.Directory("etc/ld.so.conf.d")));
    }
}
