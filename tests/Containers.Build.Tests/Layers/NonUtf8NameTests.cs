using System.Runtime.InteropServices;
using System.Text;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Publishing;
using Containers.Build.Publishing.Stages;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Layers;

/// <summary>
/// A file whose name is not valid UTF-8 (Linux allows any bytes but '/' and NUL): .NET cannot name it, so it can be
/// neither read nor written into a layer under its own name. It is a coded error naming the file, never "disk full".
/// </summary>
public sealed class NonUtf8NameTests : IDisposable
{
    private readonly TempDirectory _publish = new("cb-nonutf8");
    private readonly TempDirectory _store = new("cb-nonutf8-store");

    public void Dispose()
    {
        _publish.Dispose();
        _store.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int creat(byte[] path, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    /// <summary>Creates <c>folder/bad-\xff\xfe.txt</c> with raw bytes: no .NET API can make such a name.</summary>
    private void CreateNonUtf8File(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Encoding.UTF8.GetBytes(folder + "/bad-").Concat(new byte[] { 0xFF, 0xFE }).Concat(Encoding.UTF8.GetBytes(".txt\0")).ToArray();
        var fd = creat(path, Convert.ToUInt32("644", 8));
        Assert.True(fd >= 0, $"creat failed: {Marshal.GetLastPInvokeError()}");
        close(fd);
    }

    [Fact]
    public async Task A_file_name_that_is_not_utf8_is_a_coded_error_naming_it_and_not_about_disk_space()
    {
        _publish.WriteFile("app.dll", "app");
        CreateNonUtf8File(_publish.Combine("wwwroot"));

        var thrown = await Record.ExceptionAsync(async () =>
        {
            var platforms = new[] { new PlatformPublish("linux-x64", Platform.LinuxAmd64, _publish.Path, FileClassification.Empty) };
            var plan = LayerPlanStage.Plan(platforms, "/app", LayeringMode.ByChangeFrequency, DateTimeOffset.UnixEpoch, CancellationToken.None);
            await LayerWriteStage.WriteAsync(plan, new LayerOptions(DateTimeOffset.UnixEpoch), new ContentStore(_store.Path), [_publish.Path], CancellationToken.None);
        });

        Assert.NotNull(thrown);
        var (code, message) = ErrorBoundary.Diagnose(thrown, new ErrorBoundary.Context("mcr.microsoft.com/dotnet/aspnet:10.0", null, false));
        Assert.Equal(DiagnosticCodes.FileNameNotUtf8, code);
        Assert.Contains("wwwroot/bad-", message, StringComparison.Ordinal);
        Assert.Contains("UTF-8", message, StringComparison.Ordinal);
        Assert.DoesNotContain("space", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("disk", message, StringComparison.OrdinalIgnoreCase);
    }
}
