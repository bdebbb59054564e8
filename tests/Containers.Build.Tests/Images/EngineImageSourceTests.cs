using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Tasks;
using Containers.Build.Tests.Integration;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Images;

/// <summary>
/// ContainerBaseImage=containers-storage:NAME / docker-daemon:NAME: an image in a local engine, read through its CLI
/// (inspect, then save streamed through the docker-archive reader). Against podman itself, and against scripted
/// engines for the failures a real one gives rarely.
/// </summary>
public class EngineImageSourceTests
{
    [IntegrationFact]
    public async Task An_image_in_podman_reads_as_its_saved_archive_does_and_is_not_saved_again_while_unchanged()
    {
        using var directory = new TempDirectory("cb-engine-source");
        var name = $"localhost/cb-engine-{Guid.NewGuid():N}:1";
        var pulled = await TestEnvironment.PodmanAsync("pull", "--tls-verify=false", $"{TestEnvironment.Registry}/dotnet/runtime-deps:10.0-amd64");
        Assert.True(pulled.ExitCode == 0, pulled.ToString());
        var tagged = await TestEnvironment.PodmanAsync("tag", $"{TestEnvironment.Registry}/dotnet/runtime-deps:10.0-amd64", name);
        Assert.True(tagged.ExitCode == 0, tagged.ToString());
        try
        {
            var archive = directory.Combine("saved.tar");
            var saved = await TestEnvironment.PodmanAsync("save", "--format", "docker-archive", "-o", archive, name);
            Assert.True(saved.ExitCode == 0, saved.ToString());
            var fromFile = Assert.Single(await BaseSources.ResolveAsync($"docker-archive:{archive}", new ContentStore(directory.Combine("store-file"))));

            // podman, through a wrapper that logs each command it is asked to run.
            var log = directory.Combine("podman.log");
            var wrapper = WriteScript(directory, "podman-logged", $"echo \"$1 $2\" >> '{log}'\nexec podman \"$@\"\n");
            var written = $"containers-storage:{name}";
            var location = new EngineImageLocation(written, "podman", name) { Command = wrapper };
            var store = new ContentStore(directory.Combine("store-engine"));
            var fromEngine = Assert.Single(await EngineImageSource.ResolveAsync(location, [Platform.LinuxAmd64], store, CancellationToken.None));

            // Streamed from the engine, the base is the one the saved file gives: same config, same gzipped layers.
            Assert.Equal(fromFile.ResolvedDigest, fromEngine.ResolvedDigest);
            Assert.Equal(fromFile.Manifest.Layers, fromEngine.Manifest.Layers);
            Assert.Equal(written, fromEngine.Name);
            Assert.Null(fromEngine.Reference);
            foreach (var layer in fromEngine.Layers)
            {
                var bytes = File.ReadAllBytes(await layer.GetFileAsync(CancellationToken.None));
                Assert.Equal(layer.Descriptor.Digest.Hex, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            }
            Assert.Equal(["image inspect", "save --format"], File.ReadAllLines(log));

            // Unchanged in the engine: its config digest is all that is read; nothing is saved again.
            var again = Assert.Single(await EngineImageSource.ResolveAsync(location, [Platform.LinuxAmd64], store, CancellationToken.None));
            Assert.Equal(fromEngine.ResolvedDigest, again.ResolvedDigest);
            Assert.Equal(["image inspect", "save --format", "image inspect"], File.ReadAllLines(log));

            // The engine's image is one platform: another is a coded error naming the one it has.
            var arm = await Assert.ThrowsAsync<BaseImageFileException>(() => EngineImageSource.ResolveAsync(location, [new Platform("linux", "arm64")], store, CancellationToken.None));
            Assert.Equal(DiagnosticCodes.BaseImageFilePlatformMissing, BaseSources.Diagnose(arm, written).Code);
        }
        finally
        {
            await TestEnvironment.PodmanAsync("rmi", name);
        }
    }

    [IntegrationFact]
    public async Task A_name_podman_does_not_have_is_CB2016()
    {
        using var directory = new TempDirectory("cb-engine-missing");
        var written = $"containers-storage:localhost/cb-never-built-{Guid.NewGuid():N}:1";
        var e = await Assert.ThrowsAsync<BaseImageFileException>(() => BaseSources.ResolveAsync(written, new ContentStore(directory.Path)));
        var (code, message) = BaseSources.Diagnose(e, written);
        Assert.Equal(DiagnosticCodes.BaseImageNotInEngine, code);
        Assert.Contains(written, message, StringComparison.Ordinal);
        Assert.Contains("podman pull", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_engine_that_is_not_installed_or_fails_to_save_is_CB2017_and_names_its_words()
    {
        using var directory = new TempDirectory("cb-engine-unusable");
        var store = new ContentStore(directory.Combine("store"));
        var absent = new EngineImageLocation("docker-daemon:app:1", "docker", "app:1") { Command = directory.Combine("no-such-docker") };
        var notInstalled = await Assert.ThrowsAsync<BaseImageFileException>(() => EngineImageSource.ResolveAsync(absent, [Platform.LinuxAmd64], store, CancellationToken.None));
        var (code, message) = BaseSources.Diagnose(notInstalled, absent.Written);
        Assert.Equal(DiagnosticCodes.BaseImageEngineUnusable, code);
        Assert.Contains("not installed", message, StringComparison.Ordinal);
        Assert.Contains("docker save -o base.tar", message, StringComparison.Ordinal);

        // inspect answers, save fails at once and writes nothing: the engine's words, not "not a docker-archive".
        var failing = WriteScript(directory, "podman-failing",
            "if [ \"$1\" = image ]; then echo 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef; exit 0; fi\necho 'Error: writing image: no space left on device' >&2\nexit 125\n");
        var location = new EngineImageLocation("containers-storage:app:1", "podman", "app:1") { Command = failing };
        var saveFailed = await Assert.ThrowsAsync<BaseImageFileException>(() => EngineImageSource.ResolveAsync(location, [Platform.LinuxAmd64], store, CancellationToken.None));
        (code, message) = BaseSources.Diagnose(saveFailed, location.Written);
        Assert.Equal(DiagnosticCodes.BaseImageEngineUnusable, code);
        Assert.Contains("no space left on device", message, StringComparison.Ordinal);

        // An engine that does not know the name.
        var unknown = WriteScript(directory, "podman-unknown", "echo 'Error: app:1: image not known' >&2\nexit 125\n");
        var notThere = await Assert.ThrowsAsync<BaseImageFileException>(() => EngineImageSource.ResolveAsync(location with { Command = unknown }, [Platform.LinuxAmd64], store, CancellationToken.None));
        Assert.Equal(DiagnosticCodes.BaseImageNotInEngine, BaseSources.Diagnose(notThere, location.Written).Code);
        Assert.Empty(Directory.EnumerateFiles(store.Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_saved_layer_that_is_not_the_config_s_diff_id_keeps_nothing_and_is_CB2014()
    {
        using var directory = new TempDirectory("cb-engine-hostile");
        var promised = Encoding.UTF8.GetBytes("the layer the config names");
        var sent = new byte[5 * 1024 * 1024]; // past the size kept in memory: gzipped into the store as it streams
        sent.AsSpan().Fill(7);
        var archive = directory.Combine("hostile.tar");
        WriteDockerArchive(archive, promised, sent);
        var engine = WriteScript(directory, "podman-hostile",
            $"if [ \"$1\" = image ]; then echo 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef; exit 0; fi\ncat '{archive}'\n");
        var store = new ContentStore(directory.Combine("store"));
        var location = new EngineImageLocation("containers-storage:app:1", "podman", "app:1") { Command = engine };

        var e = await Assert.ThrowsAsync<BaseImageFileException>(() => EngineImageSource.ResolveAsync(location, [Platform.LinuxAmd64], store, CancellationToken.None));

        Assert.Equal(DiagnosticCodes.BaseImageFileDigestMismatch, BaseSources.Diagnose(e, location.Written).Code);
        Assert.Contains($"sha256:{Convert.ToHexStringLower(SHA256.HashData(promised))}", e.Message, StringComparison.Ordinal);
        // Neither the gzipped layer nor a record of it: the next build reads it again.
        Assert.Empty(Directory.EnumerateFiles(store.Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_saved_layer_that_is_gzipped_already_is_kept_as_it_is_with_its_diff_id_checked()
    {
        // docker's containerd image store saves layers gzipped.
        using var directory = new TempDirectory("cb-engine-gzipped");
        var tar = Encoding.UTF8.GetBytes("the layer tar the config names");
        using var gzipped = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(gzipped, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(tar);
        }
        var archive = directory.Combine("saved.tar");
        WriteDockerArchive(archive, tar, gzipped.ToArray());
        var engine = WriteScript(directory, "docker-containerd",
            $"if [ \"$1\" = image ]; then echo sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef; exit 0; fi\ncat '{archive}'\n");
        var store = new ContentStore(directory.Combine("store"));

        var image = Assert.Single(await EngineImageSource.ResolveAsync(new EngineImageLocation("docker-daemon:app:1", "docker", "app:1") { Command = engine }, [Platform.LinuxAmd64], store, CancellationToken.None));

        var layer = Assert.Single(image.Layers);
        Assert.Equal($"sha256:{Convert.ToHexStringLower(SHA256.HashData(gzipped.ToArray()))}", layer.Descriptor.Digest.ToString());
        Assert.Equal(gzipped.ToArray(), File.ReadAllBytes(await layer.GetFileAsync(CancellationToken.None)));
    }

    /// <summary>A docker-archive whose config names <paramref name="promised"/>'s sha256 as its one diff_id, and whose layer holds <paramref name="layer"/>.</summary>
    private static void WriteDockerArchive(string path, byte[] promised, byte[] layer)
    {
        var diffId = Convert.ToHexStringLower(SHA256.HashData(promised));
        var config = Encoding.UTF8.GetBytes($$$"""{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:{{{diffId}}}"]}}""");
        var configName = $"{Convert.ToHexStringLower(SHA256.HashData(config))}.json";
        var manifest = Encoding.UTF8.GetBytes($$"""[{"Config":"{{configName}}","RepoTags":["app:1"],"Layers":["{{diffId}}.tar"]}]""");
        using var file = File.Create(path);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        foreach (var (name, bytes) in new[] { ($"{diffId}.tar", layer), (configName, config), ("manifest.json", manifest) })
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
        }
    }

    private static string WriteScript(TempDirectory directory, string name, string body)
    {
        var path = directory.WriteFile(name, "#!/bin/sh\n" + body);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
