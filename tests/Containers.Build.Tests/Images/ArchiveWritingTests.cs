using Containers.Build.Publishing;
using Containers.Build.Publishing.Destinations;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Images;

public class ArchiveWritingTests
{
    [Fact]
    public async Task An_archive_appears_only_when_complete()
    {
        using var folder = new TempDirectory("cb-archive");
        var path = folder.Combine("out", "image.tar");

        await using (var unfinished = new TarArchiveWriter(path, gzip: false))
        {
            await unfinished.AddBytesAsync("a.txt", "a"u8.ToArray(), CancellationToken.None);
            // Abandoned, as a cancelled build would: never completed.
        }
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(folder.Combine("out")));

        await using (var finished = new TarArchiveWriter(path, gzip: true))
        {
            await finished.AddBytesAsync("a.txt", "a"u8.ToArray(), CancellationToken.None);
            await finished.AddBytesAsync("a.txt", "duplicate"u8.ToArray(), CancellationToken.None);
            await finished.CompleteAsync();
        }
        Assert.True(File.Exists(path));
        var list = await ProcessRunner.RunAsync("tar", ["-tzvf", path]);
        Assert.Equal(0, list.ExitCode);
        Assert.Single(list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Single(Directory.GetFiles(folder.Combine("out")));
    }
}
