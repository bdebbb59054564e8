using System.Diagnostics;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Publishing.Join;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Layers;

/// <summary>What a killed build left behind is removed by the next one; nothing else is touched. A file copied in is kept only when it matches its descriptor.</summary>
public class ContentStoreTests : IDisposable
{
    private readonly TempDirectory _store = new("cb-store-litter");

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task A_file_copied_in_is_stored_under_its_digest_only_when_it_matches_its_descriptor()
    {
        var store = new ContentStore(_store.Path);
        var bytes = "layer bytes"u8.ToArray();
        var file = _store.WriteFile("outside/blob", "layer bytes");
        var descriptor = new Descriptor(MediaTypes.OciLayerGzip, Digest.Compute(bytes), bytes.Length);

        var (path, size, digest) = await store.CopyInVerifiedAsync(file, descriptor, CancellationToken.None);
        Assert.Equal(store.PathOf(descriptor.Digest), path);
        Assert.Equal((bytes.Length, descriptor.Digest), (size, digest));
        Assert.Equal(bytes, File.ReadAllBytes(path!));

        // A layout's blob changed after it was written: reported with what it has, nothing stored, nothing left pending.
        var other = new Descriptor(MediaTypes.OciLayerGzip, Digest.Compute("other bytes"u8.ToArray()), bytes.Length);
        var mismatch = await store.CopyInVerifiedAsync(file, other, CancellationToken.None);
        Assert.Null(mismatch.Path);
        Assert.Equal(descriptor.Digest, mismatch.Digest);
        Assert.False(store.Contains(other.Digest));
        Assert.DoesNotContain(Directory.GetFiles(_store.Combine("blobs", "sha256")), f => Path.GetFileName(f).StartsWith('.'));

        // The join's layout blob says whose file it was.
        var error = await Assert.ThrowsAsync<JoinImageUnreadableException>(() => new LayoutBlob(other, file, "oci:runner-x64", store).GetFileAsync(CancellationToken.None));
        Assert.Contains("oci:runner-x64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Temporary_files_of_a_dead_build_are_removed_and_a_running_build_keeps_its_own()
    {
        new ContentStore(_store.Path);
        var deadPid = DeadProcessId();
        var blobs = _store.Combine("blobs", "sha256");
        var abandoned = Path.Combine(blobs, $".pending.{deadPid}-0123456789abcdef0123456789abcdef.tmp");
        var abandonedRecord = Path.Combine(_store.Combine("layers"), $".abc.json.{deadPid}-0123456789abcdef0123456789abcdef.tmp");
        var running = Path.Combine(blobs, $".pending.{Environment.ProcessId}-0123456789abcdef0123456789abcdef.tmp");
        var blob = Path.Combine(blobs, new string('a', 64));
        var other = Path.Combine(blobs, "notes.tmp");
        Directory.CreateDirectory(_store.Combine("layers"));
        foreach (var file in new[] { abandoned, abandonedRecord, running, blob, other })
        {
            File.WriteAllText(file, "x");
        }

        new ContentStore(_store.Path);

        Assert.False(File.Exists(abandoned));
        Assert.False(File.Exists(abandonedRecord));
        Assert.True(File.Exists(running));
        Assert.True(File.Exists(blob));
        Assert.True(File.Exists(other));
    }

    [Fact]
    public void A_pending_file_never_committed_is_gone_and_a_committed_one_is_whole()
    {
        var target = _store.Combine("out", "file.bin");
        using (var pending = PendingFile.For(target))
        {
            pending.Stream.Write([1, 2, 3]);
        }
        Assert.Empty(Directory.GetFiles(_store.Combine("out")));

        AtomicFile.WriteAllBytes(target, [4, 5]);
        Assert.Equal([4, 5], File.ReadAllBytes(target));
        Assert.Single(Directory.GetFiles(_store.Combine("out")));
    }

    private static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
