using System.Security.Cryptography;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Publishing;
using Containers.Build.Publishing.Stages;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Layers;

/// <summary>The layer of ContainerFile and ContainerDirectory items: per-entry modes and owners, links, its place in the plan.</summary>
public sealed class ExtraFilesLayerTests : IDisposable
{
    private static readonly DateTimeOffset FixedTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly LayerOptions Options = new(FixedTime) { AppUser = (1654, 1654) };

    private readonly TempDirectory _project = new("cb-project");
    private readonly TempDirectory _store = new("cb-store");

    public void Dispose()
    {
        _project.Dispose();
        _store.Dispose();
    }

    private ExtraFiles Items()
    {
        _project.WriteFile("config/app.json", "{\"a\":1}");
        var tool = _project.WriteFile("bin/tool", "#!/bin/sh");
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _project.WriteFile("certs/ca.pem", "PEM");
        File.CreateSymbolicLink(_project.Combine("certs/current.pem"), "ca.pem");
        return new ExtraFiles(
            [
                new ExtraFile("config/app.json", _project.Combine("config/app.json"), "etc/app/app.json", 0b110_100_000, LayerOwner.AppUser),
                new ExtraFile("bin/tool", tool, "usr/local/bin/tool", null, LayerOwner.Root),
                new ExtraFile("certs/ca.pem", _project.Combine("certs/ca.pem"), "etc/ssl/extra/ca.pem", null, new LayerOwner(1000, 2000, false)),
                new ExtraFile("certs/current.pem", _project.Combine("certs/current.pem"), "etc/ssl/extra/current.pem", null, LayerOwner.Root),
            ],
            [new ExtraDirectory("/data", "data", 0b111_101_101, LayerOwner.AppUser), new ExtraDirectory("/tmp/cache", "tmp/cache", 0b1_111_111_111, new LayerOwner(7, null, false))]);
    }

    [Fact]
    public async Task Each_entry_has_its_own_mode_and_owner_and_links_stay_links()
    {
        var planned = ExtraFilesPlanner.Plan(Items())!;
        var layer = await new LayerWriter(new ContentStore(_store.Path)).WriteAsync(planned.Entries, Options with { UserId = 99, GroupId = 99 }, CancellationToken.None);
        var entries = TarReader.ReadGzippedLayer(layer.BlobPath!).Entries.ToDictionary(e => e.Name.TrimEnd('/'));

        // Exactly the items, sorted, and no parent directories (a base's /etc and /tmp keep their modes).
        Assert.Equal(["data", "etc/app/app.json", "etc/ssl/extra/ca.pem", "etc/ssl/extra/current.pem", "tmp/cache", "usr/local/bin/tool"], entries.Keys);
        Assert.Equal((0b110_100_000, 1654, 1654, "{\"a\":1}"), (entries["etc/app/app.json"].Mode, entries["etc/app/app.json"].UserId, entries["etc/app/app.json"].GroupId, entries["etc/app/app.json"].Content));
        Assert.Equal((LayerEntry.ExecutableMode, 0, 0), (entries["usr/local/bin/tool"].Mode, entries["usr/local/bin/tool"].UserId, entries["usr/local/bin/tool"].GroupId));
        Assert.Equal((LayerEntry.RegularFileMode, 1000, 2000), (entries["etc/ssl/extra/ca.pem"].Mode, entries["etc/ssl/extra/ca.pem"].UserId, entries["etc/ssl/extra/ca.pem"].GroupId));
        var link = entries["etc/ssl/extra/current.pem"];
        Assert.Equal(((byte)'2', "ca.pem", 0, 0L), (link.TypeFlag, link.LinkName, link.UserId, link.Size));
        Assert.True(entries["data"].IsDirectory);
        Assert.Equal((LayerEntry.DirectoryMode, 1654, 1654), (entries["data"].Mode, entries["data"].UserId, entries["data"].GroupId));
        Assert.Equal((0b1_111_111_111, 7, 7), (entries["tmp/cache"].Mode, entries["tmp/cache"].UserId, entries["tmp/cache"].GroupId));
        Assert.All(entries.Values, e => Assert.Equal(FixedTime.UtcDateTime, e.ModTime));
    }

    [Fact]
    public async Task The_layer_is_reproducible_and_its_cache_key_includes_each_owner()
    {
        var items = Items();
        var planned = ExtraFilesPlanner.Plan(items)!;
        var store = new ContentStore(_store.Path);
        var first = await new LayerWriter(store).WriteAsync(planned.Entries, Options, CancellationToken.None);
        var again = await new LayerWriter(store).WriteAsync(ExtraFilesPlanner.Plan(items)!.Entries, Options, CancellationToken.None);
        Assert.Equal(first.Descriptor.Digest, again.Descriptor.Digest);

        var key = await LayerInputKey.ComputeAsync(planned.Entries, Options, CancellationToken.None);
        var otherOwner = planned.Entries.Select(e => e.ContainerPath == "data" ? e with { Owner = LayerOwner.Root } : e).ToArray();
        Assert.NotEqual(key, await LayerInputKey.ComputeAsync(otherOwner, Options, CancellationToken.None));
        // Owner=app follows the image's user.
        Assert.NotEqual(key, await LayerInputKey.ComputeAsync(planned.Entries, Options with { AppUser = (1000, 1000) }, CancellationToken.None));
        var cache = new LayerCache(store);
        var cached = await cache.GetOrWriteAsync(otherOwner, Options, CancellationToken.None);
        Assert.False(cached.FromCache);
        Assert.NotEqual(first.Descriptor.Digest, cached.Layer.Descriptor.Digest);
    }

    /// <summary>Per-entry owners must not move a byte of the layers every publish makes: digests and cache keys pinned.</summary>
    [Fact]
    public async Task Layers_without_items_keep_their_bytes_and_cache_keys()
    {
        using var folder = new TempDirectory("cb-publish");
        folder.WriteFile("WebApp.dll", "assembly");
        folder.WriteFile("wwwroot/" + new string('n', 120) + "/site.css", "body{}");
        var host = folder.WriteFile("WebApp", "#!apphost");
        File.SetUnixFileMode(host, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.CreateSymbolicLink(folder.Combine("link"), "WebApp.dll");
        var entries = LayerPlanner.PlanDirectory(folder.Path, "/app");
        var options = new LayerOptions(FixedTime) { UserId = 1654, GroupId = 1654 };

        var layer = await new LayerWriter(new ContentStore(_store.Path)).WriteAsync(entries, options, CancellationToken.None);
        var key = await LayerInputKey.ComputeAsync(entries, options, CancellationToken.None);

        Assert.Equal(PinnedDiffId, layer.DiffId.ToString());
        Assert.Equal(PinnedKey, key.ToString());
    }

    // The diff_id as written by the code before entries had owners of their own (the tar, not the gzip, whose bytes
    // follow zlib's version). The key as computed since the gzip moved to parallel blocks at the SDK's level (cache
    // format v2, level Optimal): both changed the key on purpose, the owners did not.
    private const string PinnedDiffId = "sha256:8900577dcd5f04696eef6bbdbd43cb0b296b1c7714b0ea8dc264506f942711c2";
    private const string PinnedKey = "sha256:623c8d0eefd97de83b46938007beb0ab944dd32e328ca812a2264b4d7bce64b1";

    [Fact]
    public void A_missing_source_or_a_directory_is_an_error_naming_the_item()
    {
        _project.WriteFile("dir/a.txt", "a");
        var missing = Assert.Throws<ExtraFileMissingException>(() => ExtraFilesPlanner.Plan(new ExtraFiles(
            [new ExtraFile("config/gone.json", _project.Combine("config/gone.json"), "etc/gone.json", null, LayerOwner.Root)], [])));
        Assert.Contains("'config/gone.json'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        var directory = Assert.Throws<ExtraFileMissingException>(() => ExtraFilesPlanner.Plan(new ExtraFiles(
            [new ExtraFile("dir", _project.Combine("dir"), "etc/dir", null, LayerOwner.Root)], [])));
        Assert.Contains("is a directory", directory.Message, StringComparison.Ordinal);
        // A dangling link is a link: it stays one.
        File.CreateSymbolicLink(_project.Combine("dangling"), "/nowhere");
        var link = Assert.Single(ExtraFilesPlanner.Plan(new ExtraFiles([new ExtraFile("dangling", _project.Combine("dangling"), "etc/l", null, LayerOwner.Root)], []))!.Entries);
        Assert.Equal((LayerEntryKind.Symlink, "/nowhere"), (link.Kind, link.LinkTarget));
    }

    [Fact]
    public void The_plan_puts_one_shared_layer_below_every_platforms_layers()
    {
        using var amd64 = new TempDirectory("cb-publish");
        using var arm64 = new TempDirectory("cb-publish");
        amd64.WriteFile("App.dll", "il");
        arm64.WriteFile("App.dll", "il");
        amd64.WriteFile("App", "amd64 host");
        arm64.WriteFile("App", "arm64 host");
        var platforms = new[]
        {
            new PlatformPublish("linux-x64", Platform.LinuxAmd64, amd64.Path, FileClassification.Empty),
            new PlatformPublish("linux-arm64", new Platform("linux", "arm64", "v8"), arm64.Path, FileClassification.Empty),
        };

        var plan = LayerPlanStage.Plan(platforms, "/app", LayeringMode.ByChangeFrequency, FixedTime, CancellationToken.None, Items());

        var extra = plan.ByPlatform[0][0];
        Assert.Equal(LayerKind.ExtraFiles, extra.Kind);
        Assert.Same(extra, plan.ByPlatform[1][0]);
        Assert.All(plan.ByPlatform, p => Assert.DoesNotContain(p.Skip(1), l => l.Kind == LayerKind.ExtraFiles));
        Assert.Single(plan.Distinct, l => l.Kind == LayerKind.ExtraFiles);
        Assert.Equal("Containers.Build: ContainerFile and ContainerDirectory items (4 files, 2 directories)", extra.Comment("/app"));
        // Without items, the plan is as before.
        Assert.All(LayerPlanStage.Plan(platforms, "/app", LayeringMode.ByChangeFrequency, FixedTime, CancellationToken.None).ByPlatform,
            p => Assert.DoesNotContain(p, l => l.Kind == LayerKind.ExtraFiles));
    }

    [Fact]
    public void A_destination_the_publish_output_also_has_is_an_error_naming_both()
    {
        using var publish = new TempDirectory("cb-publish");
        publish.WriteFile("App.dll", "il");
        publish.WriteFile("appsettings.json", "{}");
        _project.WriteFile("prod.json", "{}");
        var platforms = new[] { new PlatformPublish("linux-x64", Platform.LinuxAmd64, publish.Path, FileClassification.Empty) };
        ExtraFiles Item(string destination) => new([new ExtraFile("prod.json", _project.Combine("prod.json"), destination, null, LayerOwner.Root)], []);

        var error = Assert.Throws<ExtraFileCollisionException>(() => LayerPlanStage.Plan(platforms, "/app", LayeringMode.ByChangeFrequency, FixedTime, CancellationToken.None, Item("app/appsettings.json")));
        Assert.Contains("ContainerFile 'prod.json'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'/app/appsettings.json'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'appsettings.json' in '{publish.Path}'", error.Message, StringComparison.Ordinal);

        // The app's directory itself: its layer would replace the owner.
        var directory = Assert.Throws<ExtraFileCollisionException>(() => LayerPlanStage.Plan(platforms, "/app", LayeringMode.Single, FixedTime, CancellationToken.None,
            new ExtraFiles([], [new ExtraDirectory("/app", "app", LayerEntry.DirectoryMode, LayerOwner.AppUser)])));
        Assert.Contains("ContainerDirectory '/app'", directory.Message, StringComparison.Ordinal);

        // Next to the published files is fine.
        var plan = LayerPlanStage.Plan(platforms, "/app", LayeringMode.ByChangeFrequency, FixedTime, CancellationToken.None, Item("app/appsettings.Production.json"));
        Assert.Equal("app/appsettings.Production.json", Assert.Single(plan.ByPlatform[0][0].Entries).ContainerPath);
    }
}
