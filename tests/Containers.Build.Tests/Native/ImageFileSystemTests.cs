using Containers.Build.Native;

namespace Containers.Build.Tests.Native;

public class ImageFileSystemTests
{
    private static LayerPath Dir(string path) => new(path, LayerPathKind.Directory);

    private static LayerPath File(string path) => new(path, LayerPathKind.File);

    private static LayerPath Link(string path, string target) => new(path, LayerPathKind.Symlink, target);

    /// <summary>Debian since bookworm: /lib, /lib64 and /bin are links into /usr.</summary>
    private static readonly LayerPath[] UsrMergedBase =
    [
        Link("bin", "usr/bin"),
        Link("lib", "usr/lib"),
        Link("lib64", "usr/lib64"),
        Dir("usr"),
        Dir("usr/bin"),
        File("usr/bin/ls"),
        Dir("usr/lib"),
        Dir("usr/lib/x86_64-linux-gnu"),
        File("usr/lib/x86_64-linux-gnu/libc.so.6"),
        File("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
        Dir("usr/lib64"),
        Link("usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
        Dir("etc"),
        File("etc/hosts"),
        File("etc/passwd"),
        Dir("etc/ssl"),
        Dir("etc/ssl/certs"),
        File("etc/ssl/certs/ca-certificates.crt"),
    ];

    [Fact]
    public void Files_of_every_layer_are_there_and_others_are_not()
    {
        var image = ImageFileSystem.From([UsrMergedBase, [Dir("app"), File("app/App.dll")]]);

        Assert.True(image.Exists("/usr/bin/ls"));
        Assert.True(image.Exists("/app/App.dll"));
        Assert.True(image.Exists("/etc/ssl"));
        Assert.True(image.Exists("/"));
        Assert.False(image.Exists("/app/Other.dll"));
        Assert.False(image.Exists("/usr/bin/ls/more"));
        Assert.Equal(File("app/App.dll"), image.Find("/app/App.dll"));
    }

    [Fact]
    public void A_whiteout_removes_a_lower_file_and_a_lower_directory_with_everything_in_it()
    {
        var image = ImageFileSystem.From([UsrMergedBase, [Dir("etc"), File("etc/.wh.hosts"), File("etc/.wh.ssl")]]);

        Assert.False(image.Exists("/etc/hosts"));
        Assert.False(image.Exists("/etc/ssl"));
        Assert.False(image.Exists("/etc/ssl/certs/ca-certificates.crt"));
        Assert.False(image.Exists("/etc/.wh.hosts"));
        Assert.True(image.Exists("/etc/passwd"));
    }

    [Fact]
    public void A_whiteout_does_not_hide_what_its_own_layer_adds_nor_what_upper_layers_add()
    {
        var image = ImageFileSystem.From([
            UsrMergedBase,
            [File("etc/hosts"), File("etc/.wh.hosts")],
            [File("etc/.wh.passwd")],
            [File("etc/passwd")],
        ]);

        Assert.True(image.Exists("/etc/hosts"));
        Assert.True(image.Exists("/etc/passwd"));
    }

    [Fact]
    public void An_opaque_whiteout_hides_what_lower_layers_had_in_its_directory_only()
    {
        var image = ImageFileSystem.From([
            UsrMergedBase,
            [Dir("etc/ssl/certs"), File("etc/ssl/certs/.wh..wh..opq"), File("etc/ssl/certs/mine.pem")],
        ]);

        Assert.False(image.Exists("/etc/ssl/certs/ca-certificates.crt"));
        Assert.False(image.Exists("/etc/ssl/certs/.wh..wh..opq"));
        Assert.True(image.Exists("/etc/ssl/certs/mine.pem"));
        Assert.True(image.Exists("/etc/ssl/certs"));
        Assert.True(image.Exists("/etc/hosts"));
    }

    [Fact]
    public void Usr_merge_links_lead_to_usr()
    {
        var image = ImageFileSystem.From([UsrMergedBase]);

        Assert.True(image.Exists("/lib/x86_64-linux-gnu/libc.so.6"));
        Assert.True(image.Exists("/bin/ls"));
        Assert.True(image.Exists("/lib64/ld-linux-x86-64.so.2"));
        Assert.False(image.Exists("/lib/x86_64-linux-gnu/libfontconfig.so.1"));
        Assert.Equal(File("usr/lib/x86_64-linux-gnu/libc.so.6"), image.Find("/lib/./x86_64-linux-gnu//libc.so.6"));
    }

    [Fact]
    public void A_link_at_the_end_is_there_even_when_its_target_is_not_and_resolve_follows_it()
    {
        var image = ImageFileSystem.From([UsrMergedBase, [Link("usr/lib/libgone.so.1", "libgone.so.1.0"), Link("usr/lib/libc.so", "/lib64/../lib/x86_64-linux-gnu/libc.so.6")]]);

        Assert.True(image.Exists("/lib/libgone.so.1"));
        Assert.Equal(LayerPathKind.Symlink, image.Find("/lib/libgone.so.1")!.Kind);
        Assert.Null(image.Resolve("/lib/libgone.so.1"));
        Assert.Equal(File("usr/lib/x86_64-linux-gnu/libc.so.6"), image.Resolve("/lib/libc.so"));
        // The absolute link in /usr/lib64, through the relative /lib link.
        Assert.Equal(File("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"), image.Resolve("/lib64/ld-linux-x86-64.so.2"));
    }

    [Fact]
    public void Dot_dot_after_a_link_is_taken_from_where_the_link_leads()
    {
        var image = ImageFileSystem.From([
            UsrMergedBase,
            [Link("opt/native", "/usr/lib/x86_64-linux-gnu"), Link("srv/libc.so.6", "../lib/x86_64-linux-gnu/libc.so.6")],
        ]);

        // /opt/native/.. is /usr/lib (where the link leads), not /opt.
        Assert.True(image.Exists("/opt/native/../x86_64-linux-gnu/libc.so.6"));
        Assert.True(image.Exists("/opt/native/../../bin/ls"));
        Assert.NotNull(image.Resolve("/srv/libc.so.6"));
        Assert.True(image.Exists("/../../usr/bin/ls"));
    }

    [Fact]
    public void Link_loops_end_without_an_answer()
    {
        var image = ImageFileSystem.From([[
            Link("a", "b"),
            Link("b", "/a"),
            Link("self", "self/self"),
            Link("deep", "deep/deep/deep/deep/deep/deep/deep/deep"),
        ]]);

        var lookups = Task.Run(() => new[]
        {
            image.Exists("/a/x"),
            image.Exists("/self/x"),
            image.Exists("/deep/x"),
            image.Resolve("/a") is not null,
            image.ListDirectory("/self").Count > 0,
        });

        Assert.True(lookups.Wait(TimeSpan.FromSeconds(10)), "A lookup through a link loop did not end.");
        Assert.All(lookups.Result, Assert.False);
        Assert.True(image.Exists("/a"));
    }

    [Fact]
    public void A_chain_of_forty_links_is_followed_and_one_more_is_not()
    {
        var links = Enumerable.Range(0, 41).Select(i => Link($"l{i}", $"l{i + 1}")).Append(File("l41")).ToArray();
        var image = ImageFileSystem.From([links]);

        Assert.NotNull(image.Resolve("/l1"));
        Assert.Null(image.Resolve("/l0"));
    }

    [Fact]
    public void An_upper_directory_replaces_a_lower_file_or_link_and_directories_merge()
    {
        var image = ImageFileSystem.From([
            UsrMergedBase,
            [Dir("lib"), File("lib/mine.so"), Dir("etc"), File("etc/mine.conf"), File("etc/passwd/x")],
        ]);

        Assert.True(image.Exists("/lib/mine.so"));
        Assert.False(image.Exists("/lib/x86_64-linux-gnu/libc.so.6"));
        Assert.Equal(LayerPathKind.Directory, image.Find("/lib")!.Kind);
        Assert.True(image.Exists("/etc/hosts"));
        Assert.True(image.Exists("/etc/mine.conf"));
        Assert.True(image.Exists("/etc/passwd/x"));
    }

    [Fact]
    public void A_file_over_a_lower_directory_replaces_it()
    {
        var image = ImageFileSystem.From([UsrMergedBase, [File("etc/ssl")]]);

        Assert.Equal(LayerPathKind.File, image.Find("/etc/ssl")!.Kind);
        Assert.False(image.Exists("/etc/ssl/certs/ca-certificates.crt"));
    }

    [Fact]
    public void A_directory_lists_its_entries_by_name_through_links()
    {
        var image = ImageFileSystem.From([UsrMergedBase]);

        Assert.Equal(["usr/lib64/ld-linux-x86-64.so.2"], image.ListDirectory("/lib64").Select(e => e.Path));
        Assert.Equal(["bin", "etc", "lib", "lib64", "usr"], image.ListDirectory("/").Select(e => e.Path));
        Assert.Empty(image.ListDirectory("/etc/hosts"));
        Assert.Empty(image.ListDirectory("/nowhere"));
    }
}
