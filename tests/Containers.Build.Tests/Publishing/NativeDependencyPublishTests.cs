using System.Formats.Tar;
using System.IO.Compression;
using Containers.Build.Model;
using Containers.Build.Native;
using Containers.Build.Publishing;
using Containers.Build.Registry;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Publishing;

/// <summary>
/// The native dependency check in the publish, against an in-memory registry whose base has a real layer (a tar with
/// glibc's names): which files are checked, what the warning says, error and off, and the base read once.
/// </summary>
public sealed class NativeDependencyPublishTests : IDisposable
{
    private const string LibraryFolder = "/usr/lib/x86_64-linux-gnu";
    private readonly InMemoryRegistry _registry = new("127.0.0.1:5999");
    private readonly TempDirectory _work = new("cb-native-publish");
    private readonly Digest _baseLayer;

    public NativeDependencyPublishTests()
    {
        _work.WriteFile("publish/App.dll", "the app");
        // This machine's libraries, as a NuGet package's native assets would be: libz needs only libc; libfontconfig
        // needs libfreetype and libexpat too. /bin/ls stands in for an apphost (it needs libselinux).
        File.Copy($"{LibraryFolder}/libz.so.1", _work.Combine("publish/libz.so.1"));
        File.Copy($"{LibraryFolder}/libfontconfig.so.1", _work.Combine("publish/libfontconfig.so.1"));
        File.Copy("/bin/ls", _work.Combine("publish/App"));
        _baseLayer = SeedGlibcBase();
    }

    public void Dispose() => _work.Dispose();

    private static string Text(NativeDependencyFinding finding)
        => $"{finding.ImagePath} | {string.Join(", ", finding.MissingLibraries)} | {finding.MissingInterpreter} | {finding.Libc}";

    private static IReadOnlyList<Digest> Keys(ImageConfig config) => NativeCheckRecord.ResultsIn(config).Select(result => result.Key).ToArray();

    private ImageRequestParser.Inputs Inputs(string? check = null) => new()
    {
        BaseImage = $"{_registry.Host}/debian/glibc:12",
        Registry = _registry.Host,
        AssemblyName = "App",
        Repository = "team/app",
        PublishDirectory = _work.Combine("publish"),
        ContentStoreDirectory = _work.Combine("store"),
        AppCommand = ["dotnet", "/app/App.dll"],
        NativeDependencyCheck = check,
    };

    private async Task<(PublishOutcome Outcome, List<PublishWarning> Warnings)> PublishAsync(ImageRequestParser.Inputs inputs, HttpMessageHandler? handler = null,
        Action<string>? notes = null)
    {
        var warnings = new List<PublishWarning>();
        var request = ImageRequestParser.Parse(inputs, _ => { });
        using var clients = new RegistryClientFactory(handler ?? new HostRouter(_registry), InMemoryRegistry.Environment()) { Retry = RetryPolicy.None };
        return (await new ImagePublisher(clients, warnings.Add, note: notes).PublishAsync(request, CancellationToken.None), warnings);
    }

    [Fact]
    public async Task A_library_needing_what_the_base_lacks_is_one_warning_naming_it_and_the_base_is_listed_once()
    {
        var (_, warnings) = await PublishAsync(Inputs());

        // libz is satisfied; the apphost is not run (the app starts as dotnet App.dll), so it is not checked.
        var warning = Assert.IsType<NativeDependencyWarning>(Assert.Single(warnings));
        Assert.Equal("/app/libfontconfig.so.1", warning.Finding.ImagePath);
        Assert.Equal(["libfreetype.so.6", "libexpat.so.1"], warning.Finding.MissingLibraries);
        var (code, message) = ErrorBoundary.Describe(warning);
        Assert.Equal(DiagnosticCodes.NativeLibraryMissing, code);
        Assert.StartsWith($"/app/libfontconfig.so.1 needs libfreetype.so.6, libexpat.so.1, which the linux/amd64 image (base {_registry.Host}/debian/glibc:12) does not have", message, StringComparison.Ordinal);
        Assert.Equal(1, _registry.Count("GET", "blobs/" + _baseLayer));

        // Published again: the base layer's file list is kept by digest; the layer is not read again.
        _registry.ClearRequests();
        var (_, again) = await PublishAsync(Inputs());
        Assert.Single(again);
        Assert.Equal(0, _registry.Count("GET", "blobs/" + _baseLayer));
    }

    [Fact]
    public async Task The_apphost_is_checked_when_the_image_runs_it()
    {
        var (_, warnings) = await PublishAsync(Inputs() with { AppCommand = ["/app/App"] });

        Assert.Equal(["/app/App", "/app/libfontconfig.so.1"], warnings.Cast<NativeDependencyWarning>().Select(w => w.Finding.ImagePath));
        Assert.Equal(["libselinux.so.1"], warnings.Cast<NativeDependencyWarning>().First().Finding.MissingLibraries);
    }

    [Fact]
    public async Task A_musl_library_on_a_glibc_base_is_called_out_by_name()
    {
        File.Delete(_work.Combine("publish/libfontconfig.so.1"));
        var musl = new Native.SyntheticElf { Needed = ["libc.musl-x86_64.so.1"], Soname = "libe_sqlite3.so" }.Build().Bytes;
        File.WriteAllBytes(_work.Combine("publish/libe_sqlite3.so"), musl);

        var (_, warnings) = await PublishAsync(Inputs());

        var warning = Assert.IsType<NativeDependencyWarning>(Assert.Single(warnings));
        var (code, message) = ErrorBoundary.Describe(warning);
        Assert.Equal(DiagnosticCodes.NativeLibcMismatch, code);
        Assert.StartsWith("/app/libe_sqlite3.so is built for musl (Alpine), but the linux/amd64 image", message, StringComparison.Ordinal);
        Assert.Contains("has glibc: it will not load. Publish for the glibc runtime identifier", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task As_an_error_nothing_is_pushed_and_off_reads_no_base_layer()
    {
        var e = await Assert.ThrowsAsync<NativeDependenciesMissingException>(() => PublishAsync(Inputs("error")));
        var (code, message) = ErrorBoundary.Diagnose(e, new(null, null, false));
        Assert.Equal(DiagnosticCodes.NativeLibraryMissing, code);
        Assert.Contains("libfreetype.so.6", message, StringComparison.Ordinal);
        Assert.Empty(_registry.Tags("team/app"));

        _registry.ClearRequests();
        var (outcome, warnings) = await PublishAsync(Inputs("false"));
        Assert.Empty(warnings);
        Assert.Equal(0, _registry.Count("GET", "blobs/" + _baseLayer));
        Assert.Equal(outcome.Images.Digest, _registry.GetManifest("team/app", "latest")!.Digest);

        Assert.Equal(DiagnosticCodes.NativeDependencyCheckInvalid,
            Assert.Throws<ContainersBuildException>(() => ImageRequestParser.CheckSettings(Inputs("sometimes"), ["linux-x64"], false, _ => { })).Code);
    }

    [Fact]
    public async Task A_base_layer_that_cannot_be_read_skips_the_check_with_CB4010_and_the_image_is_pushed()
    {
        var (outcome, warnings) = await PublishAsync(Inputs(), new RefuseBlob(new HostRouter(_registry), _baseLayer));

        var warning = Assert.IsType<NativeCheckSkippedWarning>(Assert.Single(warnings));
        Assert.Equal(DiagnosticCodes.NativeCheckSkipped, ErrorBoundary.Describe(warning).Code);
        Assert.Equal(outcome.Images.Digest, _registry.GetManifest("team/app", "latest")!.Digest);
    }

    [Fact]
    public async Task A_clean_check_is_recorded_in_the_image_and_a_fresh_runner_takes_it_without_downloading_the_base()
    {
        File.Delete(_work.Combine("publish/libfontconfig.so.1"));
        var (first, warnings) = await PublishAsync(Inputs());
        Assert.Empty(warnings);
        Assert.Single(Keys(first.Images.Images[0].Config));
        Assert.Equal(1, _registry.Count("GET", "blobs/" + _baseLayer));

        // A fresh runner: an empty store, so no file list of the base's layer. The image the tag names records the same
        // key: the base is not downloaded, and the image (the record in it too) is the one already there.
        _registry.ClearRequests();
        var notes = new List<string>();
        var (again, againWarnings) = await PublishAsync(Inputs() with { ContentStoreDirectory = _work.Combine("fresh-store") }, notes: notes.Add);
        Assert.Empty(againWarnings);
        Assert.Equal(0, _registry.Count("GET", "blobs/" + _baseLayer));
        Assert.Equal(first.Images.Digest, again.Images.Digest);
        Assert.Contains(notes, note => note.StartsWith("Native libraries: 1 image(s) as checked before", StringComparison.Ordinal));
    }

    /// <summary>
    /// The usual next commit changes the app's managed code, not its file names or native files: the check's key stays, and
    /// a fresh runner takes the record of the image before it instead of downloading the base. A new file name, or a native
    /// file that needs something else, is another key: the check runs.
    /// </summary>
    [Fact]
    public async Task The_next_commit_changing_managed_code_keeps_the_checks_key_and_a_new_native_need_does_not()
    {
        var (first, warnings) = await PublishAsync(Inputs());
        Assert.Single(warnings);
        var key = Assert.Single(Keys(first.Images.Images[0].Config));

        _registry.ClearRequests();
        _work.WriteFile("publish/App.dll", "the app, next commit");
        var (next, nextWarnings) = await PublishAsync(Inputs() with { ContentStoreDirectory = _work.Combine("fresh-store"), SourceDateEpoch = "1700086400" });
        Assert.NotEqual(first.Images.Digest, next.Images.Digest);
        Assert.Equal([key], Keys(next.Images.Images[0].Config));
        Assert.Single(nextWarnings);
        Assert.Equal(0, _registry.Count("GET", "blobs/" + _baseLayer));

        _work.WriteFile("publish/App.Extra.dll", "a new file name");
        var (named, _) = await PublishAsync(Inputs() with { ContentStoreDirectory = _work.Combine("fresh-store-2"), SourceDateEpoch = "1700172800" });
        Assert.NotEqual([key], Keys(named.Images.Images[0].Config));
        Assert.Equal(1, _registry.Count("GET", "blobs/" + _baseLayer));

        File.WriteAllBytes(_work.Combine("publish/libfontconfig.so.1"), new Native.SyntheticElf { Needed = ["libc.so.6"], Soname = "libfontconfig.so.1" }.Build().Bytes);
        var (relinked, relinkedWarnings) = await PublishAsync(Inputs() with { ContentStoreDirectory = _work.Combine("fresh-store-3"), SourceDateEpoch = "1700259200" });
        Assert.NotEqual(Keys(named.Images.Images[0].Config), Keys(relinked.Images.Images[0].Config));
        Assert.Empty(relinkedWarnings);
        Assert.Equal(2, _registry.Count("GET", "blobs/" + _baseLayer));
    }

    [Fact]
    public async Task A_check_with_findings_records_them_and_a_fresh_runner_warns_again_from_the_record()
    {
        var (first, warnings) = await PublishAsync(Inputs());
        var warning = Assert.IsType<NativeDependencyWarning>(Assert.Single(warnings));
        var result = Assert.Single(NativeCheckRecord.ResultsIn(first.Images.Images[0].Config));
        Assert.Equal([Text(warning.Finding)], result.Findings.Select(Text));

        _registry.ClearRequests();
        var (again, againWarnings) = await PublishAsync(Inputs() with { ContentStoreDirectory = _work.Combine("fresh-store") });
        Assert.Equal(ErrorBoundary.Describe(warning), ErrorBoundary.Describe(Assert.IsType<NativeDependencyWarning>(Assert.Single(againWarnings))));
        Assert.Equal(0, _registry.Count("GET", "blobs/" + _baseLayer));
        Assert.Equal(first.Images.Digest, again.Images.Digest);

        // As an error, the record's findings fail the publish as a check here would.
        var e = await Assert.ThrowsAsync<NativeDependenciesMissingException>(() => PublishAsync(Inputs("error") with { ContentStoreDirectory = _work.Combine("fresh-store-2") }));
        Assert.Contains("libfreetype.so.6", ErrorBoundary.Diagnose(e, new(null, null, false)).Message, StringComparison.Ordinal);
        Assert.Equal(0, _registry.Count("GET", "blobs/" + _baseLayer));
    }

    [Fact]
    public void A_record_round_trips_every_kind_of_finding_and_one_that_does_not_parse_is_none()
    {
        var key = Digest.Compute("k"u8);
        var findings = new NativeDependencyFinding[]
        {
            new("/app/a b;\"; check key x.so", ["libx.so.1", "liby.so.2"], null, null),
            new("/app/App", [], "/lib64/ld-linux-x86-64.so.2", null),
            new("/app/libe_sqlite3.so", [], null, new LibcMismatch(LibcFlavor.Musl, LibcFlavor.Glibc)),
        };
        foreach (var result in new[] { new NativeCheckResult(key, findings), new NativeCheckResult(key, []) })
        {
            var entry = NativeCheckRecord.HistoryEntry(result, "2026-01-01T00:00:00Z");
            var recorded = Assert.Single(NativeCheckRecord.ResultsIn(ConfigWithHistory(entry)));
            Assert.Equal(result.Key, recorded.Key);
            Assert.Equal(result.Findings.Select(Text), recorded.Findings.Select(Text));
        }
        var broken = NativeCheckRecord.HistoryEntry(new NativeCheckResult(key, findings), "2026-01-01T00:00:00Z");
        broken["comment"] = broken["comment"]!.GetValue<string>()[..^2];
        Assert.Empty(NativeCheckRecord.ResultsIn(ConfigWithHistory(broken)));
        var notOurs = NativeCheckRecord.HistoryEntry(new NativeCheckResult(key, []), "2026-01-01T00:00:00Z");
        notOurs["created_by"] = "RUN echo";
        Assert.Empty(NativeCheckRecord.ResultsIn(ConfigWithHistory(notOurs)));

        static ImageConfig ConfigWithHistory(System.Text.Json.Nodes.JsonObject entry) => ImageConfig.FromJson(new System.Text.Json.Nodes.JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["rootfs"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "layers", ["diff_ids"] = new System.Text.Json.Nodes.JsonArray() },
            ["history"] = new System.Text.Json.Nodes.JsonArray(entry),
        });
    }

    [Fact]
    public async Task A_record_for_other_settings_is_not_taken_and_a_check_that_is_off_records_nothing()
    {
        File.Delete(_work.Combine("publish/libfontconfig.so.1"));
        var (first, _) = await PublishAsync(Inputs());

        // The image's LD_LIBRARY_PATH is part of what the loader searches, and so of the key.
        _registry.ClearRequests();
        var withPath = Inputs() with { ContentStoreDirectory = _work.Combine("fresh-store"), Environment = [new("LD_LIBRARY_PATH", "/opt/lib")] };
        var (changed, warnings) = await PublishAsync(withPath);
        Assert.Empty(warnings);
        Assert.Equal(1, _registry.Count("GET", "blobs/" + _baseLayer));
        Assert.NotEqual(Assert.Single(Keys(first.Images.Images[0].Config)), Assert.Single(Keys(changed.Images.Images[0].Config)));

        var (off, _) = await PublishAsync(Inputs("false") with { ContentStoreDirectory = _work.Combine("store-off") });
        Assert.Empty(Keys(off.Images.Images[0].Config));
    }

    [Fact]
    public void The_key_leaves_the_record_out_and_tells_one_argument_from_two()
    {
        var config = ImageConfig.Parse(System.Text.Encoding.UTF8.GetBytes("""
            {"architecture":"amd64","os":"linux","config":{"Cmd":["dotnet","a b"]},"rootfs":{"type":"layers","diff_ids":[]},"history":[]}
            """));
        var key = NativeCheckRecord.KeyOf(config, Platform.LinuxAmd64, [], [], []);
        var json = config.ToJsonObject();
        json["history"]!.AsArray().Add(NativeCheckRecord.HistoryEntry(new NativeCheckResult(key, []), "2026-01-01T00:00:00Z"));
        var recorded = ImageConfig.FromJson(json);

        Assert.Equal(key, NativeCheckRecord.KeyOf(recorded, Platform.LinuxAmd64, [], [], []));
        Assert.Equal([key], Keys(recorded));
        json["config"]!["Cmd"] = new System.Text.Json.Nodes.JsonArray("dotnet", "a", "b");
        Assert.NotEqual(key, NativeCheckRecord.KeyOf(ImageConfig.FromJson(json), Platform.LinuxAmd64, [], [], []));
        Assert.NotEqual(key, NativeCheckRecord.KeyOf(config, new Platform("linux", "arm64"), [], [], []));
    }

    [Fact]
    public void The_key_changes_with_the_text_of_a_loader_configuration_file_the_app_layers_bring()
    {
        var config = ImageConfig.Parse(System.Text.Encoding.UTF8.GetBytes("""
            {"architecture":"amd64","os":"linux","config":{"Cmd":["dotnet","app.dll"]},"rootfs":{"type":"layers","diff_ids":[]},"history":[]}
            """));
        var file = _work.WriteFile("vendor.conf", "/opt/vendor/lib\n");
        IReadOnlyList<Containers.Build.Layers.PlannedLayer> Layers() => [new(Containers.Build.Layers.LayerKind.ExtraFiles,
            [Containers.Build.Layers.LayerEntry.File("etc/ld.so.conf.d/vendor.conf", file, executable: false)])];

        var key = NativeCheckRecord.KeyOf(config, Platform.LinuxAmd64, [], Layers(), []);
        Assert.Equal(key, NativeCheckRecord.KeyOf(config, Platform.LinuxAmd64, [], Layers(), []));
        File.WriteAllText(file, "/opt/other/lib\n");
        Assert.NotEqual(key, NativeCheckRecord.KeyOf(config, Platform.LinuxAmd64, [], Layers(), []));
    }

    [Fact]
    public async Task The_check_needs_no_written_layer_and_lists_the_base_unless_the_registry_image_records_the_same_check()
    {
        var request = ImageRequestParser.Parse(Inputs(), _ => { });
        using var clients = new RegistryClientFactory(new HostRouter(_registry), InMemoryRegistry.Environment()) { Retry = RetryPolicy.None };
        var platforms = request.Platforms.Select(p => p.Platform).ToArray();
        var plan = Containers.Build.Publishing.Stages.LayerPlanStage.Plan(request.Platforms, request.Settings.WorkingDirectory, request.Layering, request.Settings.Created,
            CancellationToken.None, request.ExtraFiles);
        Task<IReadOnlyList<IReadOnlyList<Containers.Build.Images.ImportedLayer>>> noImports = Task.FromResult<IReadOnlyList<IReadOnlyList<Containers.Build.Images.ImportedLayer>>>([[]]);

        // From the plan and the base alone, as while the layers are written: the same findings as the publish's.
        var store = new Containers.Build.Layers.ContentStore(_work.Combine("check-store"));
        var bases = Containers.Build.Publishing.Stages.BaseImageStage.ResolveAsync(request.BaseImage, platforms, request.Mirrors, request.PushRegistries, clients, store, CancellationToken.None);
        var outcome = await Containers.Build.Publishing.Stages.NativeDependencyStage.CheckAsync(plan, platforms, request.Settings, bases, noImports, store, null, CancellationToken.None);
        Assert.True(LayerFileList.IsRecorded(_baseLayer, store));
        Assert.Equal(0, outcome.TakenFromRegistry);
        var (published, _) = await PublishAsync(Inputs());
        Assert.Equal(Keys(published.Images.Images[0].Config), [outcome.Results[0]!.Key]);
        Assert.Equal(outcome.Reports.Single().Findings.Select(Text), NativeCheckRecord.ResultsIn(published.Images.Images[0].Config).Single().Findings.Select(Text));

        // Once the image the tag names records that check, a fresh store is not filled: the record stands for the check.
        _registry.ClearRequests();
        var fresh = new Containers.Build.Layers.ContentStore(_work.Combine("check-fresh"));
        var registry = request.Destinations.Select(d => d.PushesTo).OfType<Containers.Build.References.RegistryHost>().First();
        var index = new Containers.Build.Publishing.Stages.RegistryLayerIndex(clients.Get(registry, Containers.Build.Registry.Auth.RegistryAccess.Push), "team/app", "latest", fresh, _ => { }, CancellationToken.None);
        var freshBases = Containers.Build.Publishing.Stages.BaseImageStage.ResolveAsync(request.BaseImage, platforms, request.Mirrors, request.PushRegistries, clients, fresh, CancellationToken.None);
        var taken = await Containers.Build.Publishing.Stages.NativeDependencyStage.CheckAsync(plan, platforms, request.Settings, freshBases, noImports, fresh, index, CancellationToken.None);
        Assert.Equal(1, taken.TakenFromRegistry);
        Assert.Equal(outcome.Results[0]!.Key, taken.Results[0]!.Key);
        Assert.False(LayerFileList.IsRecorded(_baseLayer, fresh));
        Assert.Equal(0, _registry.Count("GET", "blobs/" + _baseLayer));
    }

    [Fact]
    public async Task The_check_reads_no_base_for_an_app_whose_only_elf_file_is_an_apphost_it_does_not_run()
    {
        File.Delete(_work.Combine("publish/libz.so.1"));
        File.Delete(_work.Combine("publish/libfontconfig.so.1"));
        foreach (var (command, listed) in new[] { (new[] { "dotnet", "/app/App.dll" }, false), (new[] { "/app/App" }, true) })
        {
            var request = ImageRequestParser.Parse(Inputs() with { AppCommand = command }, _ => { });
            using var clients = new RegistryClientFactory(new HostRouter(_registry), InMemoryRegistry.Environment()) { Retry = RetryPolicy.None };
            var plan = Containers.Build.Publishing.Stages.LayerPlanStage.Plan(request.Platforms, request.Settings.WorkingDirectory, request.Layering, request.Settings.Created,
                CancellationToken.None, request.ExtraFiles);
            var store = new Containers.Build.Layers.ContentStore(_work.Combine($"check-{listed}"));
            var platforms = request.Platforms.Select(p => p.Platform).ToArray();
            var bases = Containers.Build.Publishing.Stages.BaseImageStage.ResolveAsync(request.BaseImage, platforms, request.Mirrors,
                request.PushRegistries, clients, store, CancellationToken.None);
            var noImports = Task.FromResult<IReadOnlyList<IReadOnlyList<Containers.Build.Images.ImportedLayer>>>([[]]);

            var outcome = await Containers.Build.Publishing.Stages.NativeDependencyStage.CheckAsync(plan, platforms, request.Settings, bases, noImports, store, null, CancellationToken.None);

            Assert.Equal(listed, LayerFileList.IsRecorded(_baseLayer, store));
            Assert.Equal(listed, outcome.Results[0] is not null);
        }
    }

    [Fact]
    public async Task An_app_with_no_elf_file_is_checked_without_waiting_for_the_base()
    {
        File.Delete(_work.Combine("publish/libz.so.1"));
        File.Delete(_work.Combine("publish/libfontconfig.so.1"));
        File.Delete(_work.Combine("publish/App"));
        var request = ImageRequestParser.Parse(Inputs(), _ => { });
        var plan = Containers.Build.Publishing.Stages.LayerPlanStage.Plan(request.Platforms, request.Settings.WorkingDirectory, request.Layering, request.Settings.Created,
            CancellationToken.None, request.ExtraFiles);
        var neverResolved = new TaskCompletionSource<IReadOnlyList<Containers.Build.Images.BaseImage>>().Task;
        var noImports = Task.FromResult<IReadOnlyList<IReadOnlyList<Containers.Build.Images.ImportedLayer>>>([[]]);

        var outcome = await Containers.Build.Publishing.Stages.NativeDependencyStage.CheckAsync(plan, request.Platforms.Select(p => p.Platform).ToArray(), request.Settings,
            neverResolved, noImports, new Containers.Build.Layers.ContentStore(_work.Combine("check-none")), null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(outcome.Reports);
        Assert.Equal([null], outcome.Results);
    }

    [Fact]
    public void Files_whose_extension_no_native_file_has_are_not_opened_to_look_for_elf()
    {
        var elf = File.ReadAllBytes(_work.Combine("publish/libz.so.1"));
        Directory.CreateDirectory(_work.Combine("publish/wwwroot"));
        File.WriteAllBytes(_work.Combine("publish/wwwroot/site.js.gz"), elf);
        File.WriteAllBytes(_work.Combine("publish/Plugin.dll"), elf);
        File.WriteAllBytes(_work.Combine("publish/libplugin.so.2.1"), elf);
        var request = ImageRequestParser.Parse(Inputs(), _ => { });
        var plan = Containers.Build.Publishing.Stages.LayerPlanStage.Plan(request.Platforms, request.Settings.WorkingDirectory, request.Layering, request.Settings.Created,
            CancellationToken.None, request.ExtraFiles);

        var scanned = Containers.Build.Publishing.Stages.NativeDependencyStage.ScanElfFiles(plan).Keys.Select(e => e.ContainerPath).Order(StringComparer.Ordinal);

        Assert.Equal(["app/App", "app/libfontconfig.so.1", "app/libplugin.so.2.1", "app/libz.so.1"], scanned);
    }

    /// <summary>A registry that answers 500 to a GET of one blob (a proxy in the way); it still mounts it.</summary>
    private sealed class RefuseBlob(HttpMessageHandler inner, Digest blob) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.EndsWith("/blobs/" + blob, StringComparison.Ordinal)
                ? Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.InternalServerError))
                : base.SendAsync(request, cancellationToken);
    }

    /// <summary>A one-layer base with glibc's loader and libraries (empty files: only their names matter) under usr-merge links.</summary>
    private Digest SeedGlibcBase()
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "usr/lib/x86_64-linux-gnu/"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "lib") { LinkName = "usr/lib" });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "lib64") { LinkName = "usr/lib64" });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "usr/lib64/"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "usr/lib64/ld-linux-x86-64.so.2") { DataStream = new MemoryStream() });
            foreach (var library in new[] { "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "libstdc++.so.6", "libgcc_s.so.1" })
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"usr/lib/x86_64-linux-gnu/{library}") { DataStream = new MemoryStream() });
            }
        }
        var diffId = Digest.Compute(tar.ToArray());
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tar.ToArray());
        }
        var layer = new Descriptor(MediaTypes.OciLayerGzip, _registry.PutBlob("debian/glibc", gzipped.ToArray()), gzipped.Length);
        var config = System.Text.Encoding.UTF8.GetBytes($$$"""
            {"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/bin:/bin"]},"rootfs":{"type":"layers","diff_ids":["{{{diffId}}}"]}}
            """);
        var configDescriptor = new Descriptor(MediaTypes.OciConfig, _registry.PutBlob("debian/glibc", config), config.Length);
        var manifest = ImageManifest.Create(ImageFormat.Oci, configDescriptor, [layer]);
        _registry.PutManifest("debian/glibc", "12", manifest.Bytes, manifest.MediaType);
        return layer.Digest;
    }
}
