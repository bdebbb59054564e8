using Containers.Build.Native;

namespace Containers.Build.Tests.Native;

public class NativeDependencyCheckTests
{
    private const string Amd64 = "amd64";
    private const ushort X86_64 = 62;
    private const ushort Aarch64 = 183;

    private static LayerPath Dir(string path) => new(path, LayerPathKind.Directory);

    private static LayerPath File(string path) => new(path, LayerPathKind.File);

    private static LayerPath Link(string path, string target) => new(path, LayerPathKind.Symlink, target);

    /// <summary>What mcr.microsoft.com/dotnet/runtime-deps:10.0 (Debian, usr-merged) has of the C library, and no fontconfig.</summary>
    private static readonly LayerPath[] DebianBase =
    [
        Link("lib", "usr/lib"),
        Link("lib64", "usr/lib64"),
        Dir("usr/lib/x86_64-linux-gnu"),
        File("usr/lib/x86_64-linux-gnu/libc.so.6"),
        File("usr/lib/x86_64-linux-gnu/libm.so.6"),
        File("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
        File("usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30"),
        Link("usr/lib/x86_64-linux-gnu/libstdc++.so.6", "libstdc++.so.6.0.30"),
        Dir("usr/lib64"),
        Link("usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
    ];

    /// <summary>Alpine: musl's loader, which is also its libc.</summary>
    private static readonly LayerPath[] AlpineBase =
    [
        Dir("lib"),
        File("lib/ld-musl-x86_64.so.1"),
        Link("lib/libc.musl-x86_64.so.1", "ld-musl-x86_64.so.1"),
        Dir("usr/lib"),
        File("usr/lib/libstdc++.so.6"),
    ];

    private static ElfFile Library(string[] needed, string[]? runPaths = null, ushort machine = X86_64)
        => new(true, true, machine, ElfType.SharedObject, null, needed, runPaths ?? [], null);

    private static ElfFile Program(string interpreter, params string[] needed)
        => new(true, true, X86_64, ElfType.SharedObject, interpreter, needed, [], null);

    private static readonly ElfFile SkiaSharp = Library(["libfontconfig.so.1", "libpthread.so.0", "libm.so.6", "libc.so.6", "ld-linux-x86-64.so.2"]);

    private static LayerPath[] App(params string[] files) => [Dir("app"), .. files.Select(File)];

    private static IReadOnlyList<NativeDependencyFinding> Check(
        IEnumerable<LayerPath[]> layers,
        (string, ElfFile)[] files,
        string[]? ldLibraryPath = null,
        string architecture = Amd64)
        => NativeDependencyCheck.Check(files, ImageFileSystem.From(layers), architecture, ldLibraryPath ?? []);

    private static LayerPath[] DebianWith(params LayerPath[] more) => [.. DebianBase, .. more];

    [Fact]
    public void SkiaSharp_on_a_base_without_fontconfig_misses_it()
    {
        var findings = Check([DebianWith(File("usr/lib/x86_64-linux-gnu/libpthread.so.0")), App("app/libSkiaSharp.so")], [("/app/libSkiaSharp.so", SkiaSharp)]);

        var finding = Assert.Single(findings);
        Assert.Equal("/app/libSkiaSharp.so", finding.ImagePath);
        Assert.Equal(["libfontconfig.so.1"], finding.MissingLibraries);
        Assert.Null(finding.MissingInterpreter);
        Assert.Null(finding.Libc);
    }

    [Theory]
    [InlineData("usr/lib/x86_64-linux-gnu/libfontconfig.so.1")]
    [InlineData("usr/lib/libfontconfig.so.1")]
    [InlineData("usr/local/lib/x86_64-linux-gnu/libfontconfig.so.1")]
    [InlineData("usr/lib64/libfontconfig.so.1")]
    public void SkiaSharp_with_fontconfig_installed_is_fine(string fontconfig)
    {
        var findings = Check(
            [DebianWith(File("usr/lib/x86_64-linux-gnu/libpthread.so.0"), File(fontconfig)), App("app/libSkiaSharp.so")],
            [("/app/libSkiaSharp.so", SkiaSharp)]);

        Assert.Empty(findings);
    }

    [Fact]
    public void A_library_found_through_the_lib_link_and_a_soname_link_is_found()
    {
        // Not usr-merged underneath: /lib/x86_64-linux-gnu is a link to a folder only the link reaches.
        var layers = new[]
        {
            new[] { Link("lib", "usr/lib"), Link("lib64", "usr/lib64"), File("usr/lib64/ld-linux-x86-64.so.2"), Link("usr/lib/x86_64-linux-gnu", "/srv/multiarch") },
            new[] { File("srv/multiarch/libfontconfig.so.1.12.0"), Link("srv/multiarch/libfontconfig.so.1", "libfontconfig.so.1.12.0") },
        };

        Assert.Empty(Check(layers, [("/app/lib.so", Library(["libfontconfig.so.1"]))]));
    }

    [Fact]
    public void A_soname_link_whose_target_is_gone_does_not_count()
    {
        var findings = Check(
            [DebianWith(Link("usr/lib/x86_64-linux-gnu/libfontconfig.so.1", "libfontconfig.so.1.12.0"))],
            [("/app/lib.so", Library(["libfontconfig.so.1"]))]);

        Assert.Equal(["libfontconfig.so.1"], Assert.Single(findings).MissingLibraries);
    }

    [Fact]
    public void A_library_next_to_the_file_is_found_without_a_run_path()
    {
        var findings = Check(
            [DebianBase, App("app/runtimes/linux-x64/native/libe_sqlite3.so", "app/runtimes/linux-x64/native/libhelper.so")],
            [("/app/runtimes/linux-x64/native/libe_sqlite3.so", Library(["libhelper.so", "libc.so.6"]))]);

        Assert.Empty(findings);
    }

    [Theory]
    [InlineData("$ORIGIN/../lib")]
    [InlineData("${ORIGIN}/../lib")]
    [InlineData("/nowhere:/app/lib")]
    public void The_run_path_is_searched_with_origin_expanded(string runPath)
    {
        var layers = new[] { DebianBase, App("app/bin/libmain.so", "app/lib/libdep.so") };

        var without = Check(layers, [("/app/bin/libmain.so", Library(["libdep.so"]))]);
        var with = Check(layers, [("/app/bin/libmain.so", Library(["libdep.so"], runPath.Split(':')))]);

        Assert.Equal(["libdep.so"], Assert.Single(without).MissingLibraries);
        Assert.Empty(with);
    }

    [Fact]
    public void LD_LIBRARY_PATH_is_searched()
    {
        var layers = new[] { DebianWith(File("opt/vendor/lib/libvendor.so.2")), App("app/libwrapper.so") };
        var file = ("/app/libwrapper.so", Library(["libvendor.so.2"]));

        Assert.Equal(["libvendor.so.2"], Assert.Single(Check(layers, [file])).MissingLibraries);
        Assert.Empty(Check(layers, [file], ["/usr/local/nothing", "/opt/vendor/lib/"]));
    }

    [Fact]
    public void A_program_whose_loader_is_missing_says_so()
    {
        // A distroless static base: neither C library.
        var findings = Check([[Dir("etc"), File("etc/passwd")], App("app/tool")], [("/app/tool", Program("/lib64/ld-linux-x86-64.so.2", "libc.so.6"))]);

        var finding = Assert.Single(findings);
        Assert.Equal("/lib64/ld-linux-x86-64.so.2", finding.MissingInterpreter);
        Assert.Equal(["libc.so.6"], finding.MissingLibraries);
        Assert.Null(finding.Libc);
    }

    [Fact]
    public void A_program_whose_loader_is_there_through_links_is_fine()
    {
        Assert.Empty(Check([DebianBase, App("app/tool")], [("/app/tool", Program("/lib64/ld-linux-x86-64.so.2", "libc.so.6", "libstdc++.so.6"))]));
    }

    [Fact]
    public void A_musl_file_on_a_glibc_image_is_a_libc_mismatch_not_a_list_of_libc_names()
    {
        var musl = Program("/lib/ld-musl-x86_64.so.1", "libfontconfig.so.1", "libstdc++.so.6", "libc.musl-x86_64.so.1");

        var finding = Assert.Single(Check([DebianBase, App("app/tool")], [("/app/tool", musl)]));

        Assert.Equal(new LibcMismatch(LibcFlavor.Musl, LibcFlavor.Glibc), finding.Libc);
        Assert.Equal(["libfontconfig.so.1"], finding.MissingLibraries);
        Assert.Null(finding.MissingInterpreter);
    }

    [Fact]
    public void A_glibc_file_on_a_musl_image_is_a_libc_mismatch_too()
    {
        var finding = Assert.Single(Check([AlpineBase, App("app/libSkiaSharp.so")], [("/app/libSkiaSharp.so", SkiaSharp)]));

        Assert.Equal(new LibcMismatch(LibcFlavor.Glibc, LibcFlavor.Musl), finding.Libc);
        Assert.Equal(["libfontconfig.so.1"], finding.MissingLibraries);
    }

    [Fact]
    public void A_musl_file_on_a_musl_image_is_checked_as_any_other()
    {
        var musl = Library(["libstdc++.so.6", "libc.musl-x86_64.so.1"]);

        Assert.Empty(Check([AlpineBase, App("app/libnative.so")], [("/app/libnative.so", musl)]));
    }

    [Fact]
    public void A_file_of_either_libc_on_an_image_with_both_loaders_is_no_mismatch()
    {
        // Alpine with gcompat: a glibc loader name beside musl's.
        var layers = new[] { AlpineBase, [File("lib/ld-linux-x86-64.so.2"), File("lib/libc.so.6"), File("lib/libm.so.6"), File("lib/libpthread.so.0"), File("usr/lib/libfontconfig.so.1")] };
        var musl = Program("/lib/ld-musl-x86_64.so.1", "libstdc++.so.6", "libc.musl-x86_64.so.1");

        Assert.Empty(Check(layers, [("/app/libSkiaSharp.so", SkiaSharp), ("/app/tool", musl)]));
    }

    [Fact]
    public void Files_for_another_architecture_or_an_unknown_machine_are_skipped()
    {
        var arm64 = Library(["libfontconfig.so.1"], machine: Aarch64);
        var unknown = Library(["libfontconfig.so.1"], machine: 9999);

        Assert.Empty(Check([DebianBase], [("/app/runtimes/linux-arm64/native/libSkiaSharp.so", arm64), ("/app/weird.so", unknown)]));
        Assert.Single(Check([DebianBase], [("/app/runtimes/linux-arm64/native/libSkiaSharp.so", arm64)], architecture: "arm64"));
    }

    [Fact]
    public void The_multiarch_folder_is_the_images_architectures()
    {
        var arm64 = Library(["libfontconfig.so.1"], machine: Aarch64);
        var layers = new[] { new[] { File("usr/lib/aarch64-linux-gnu/libfontconfig.so.1"), File("usr/lib/x86_64-linux-gnu/libother.so.1") } };

        Assert.Empty(Check(layers, [("/app/libSkiaSharp.so", arm64)], architecture: "arm64"));
        Assert.Single(Check(layers, [("/app/libother.so", Library(["libother.so.1"], machine: Aarch64))], architecture: "arm64"));
    }

    [Fact]
    public void A_static_file_gives_nothing()
    {
        var staticProgram = new ElfFile(true, true, X86_64, ElfType.Executable, null, [], [], null);

        Assert.Empty(Check([[File("etc/passwd")]], [("/app/static", staticProgram)]));
    }

    [Fact]
    public void Findings_are_by_path_and_missing_names_in_the_order_needed_once_each()
    {
        var findings = Check([DebianBase], [
            ("/app/z.so", Library(["libz2.so", "libz1.so", "libz2.so"])),
            ("/app/a.so", Library(["liba.so"])),
            ("/app/m.so", Library(["libc.so.6"])),
        ]);

        Assert.Equal(["/app/a.so", "/app/z.so"], findings.Select(f => f.ImagePath));
        Assert.Equal(["libz2.so", "libz1.so"], findings[1].MissingLibraries);
    }

    [Fact]
    public void A_needed_path_is_looked_up_as_it_is()
    {
        var layers = new[] { DebianWith(File("opt/lib/libabs.so")) };

        Assert.Empty(Check(layers, [("/app/a.so", Library(["/opt/lib/libabs.so"]))]));
        Assert.Equal(["/opt/lib/libgone.so"], Assert.Single(Check(layers, [("/app/a.so", Library(["/opt/lib/libgone.so"]))])).MissingLibraries);
    }

    [Fact]
    public void Real_ELF_files_read_from_bytes_are_checked_end_to_end()
    {
        var bytes = new SyntheticElf { Needed = ["libfontconfig.so.1", "libc.so.6"], RunPath = "$ORIGIN/deps" }.Build().Bytes;
        var elf = ElfFile.TryRead(new MemoryStream(bytes))!;

        var missing = Check([DebianBase], [("/app/libSkiaSharp.so", elf)]);
        var shipped = Check([DebianBase, [File("app/deps/libfontconfig.so.1")]], [("/app/libSkiaSharp.so", elf)]);

        Assert.Equal(["libfontconfig.so.1"], Assert.Single(missing).MissingLibraries);
        Assert.Empty(shipped);
    }

    [Fact]
    public void A_library_in_a_directory_only_the_loaders_configuration_names_is_found_there()
    {
        LayerPath[] vendor = [File("usr/lib/x86_64-linux-gnu/libpthread.so.0"), Dir("opt/vendor/lib"), File("opt/vendor/lib/libfontconfig.so.1")];
        LayerPath[] configuration = [Dir("etc/ld.so.conf.d"), new("etc/ld.so.conf.d/vendor.conf", LayerPathKind.File) { Text = "/opt/vendor/lib\n" }];
        (string, ElfFile)[] files = [("app/libSkiaSharp.so", SkiaSharp)];

        Assert.Empty(Check([DebianWith([.. vendor, .. configuration]), App("libSkiaSharp.so")], files));
        Assert.Equal(["libfontconfig.so.1"], Assert.Single(Check([DebianWith(vendor), App("libSkiaSharp.so")], files)).MissingLibraries);
    }
}
