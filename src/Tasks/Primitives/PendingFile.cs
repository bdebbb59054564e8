namespace Containers.Build;

/// <summary>
/// A file being written under a temporary name, which becomes visible under its final name only when
/// <see cref="Commit"/> moves it there: a reader, a crash or a cancelled build never sees it half-written.
/// Disposed without a commit, the temporary file is deleted. The temporary name is in the final folder, so
/// the move is a rename on one file system.
/// </summary>
public sealed class PendingFile : IDisposable, IAsyncDisposable
{
    // Larger writes go past it.
    private const int DefaultBufferSize = FileBuffer.Size;
    private bool _committed;

    private PendingFile(string temporaryPath, bool useAsync, int bufferSize)
    {
        TemporaryPath = temporaryPath;
        // Readable while written: a writer may read back what it wrote (a gzipped layer unpacked to learn its diff_id).
        Stream = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize, useAsync);
    }

    /// <summary>A pending file that will become <paramref name="finalPath"/>; its folder is created.</summary>
    public static PendingFile For(string finalPath, bool useAsync = false, int bufferSize = DefaultBufferSize)
    {
        var full = Path.GetFullPath(finalPath);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        return new PendingFile(Path.Combine(directory, $".{Path.GetFileName(full)}.{TemporarySuffix()}"), useAsync, bufferSize);
    }

    /// <summary>A pending file in <paramref name="directory"/> whose final name is decided later (a digest known only once written).</summary>
    public static PendingFile In(string directory, bool useAsync = false, int bufferSize = DefaultBufferSize)
    {
        Directory.CreateDirectory(directory);
        return new PendingFile(Path.Combine(directory, $".pending.{TemporarySuffix()}"), useAsync, bufferSize);
    }

    // The writer's process id is in every temporary name, so that a later build can tell a file whose writer
    // was killed (kill -9, a power cut) from one that another build is writing right now.
    private static string TemporarySuffix() => $"{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";

    /// <summary>
    /// Deletes the temporary files in <paramref name="directory"/> (those for <paramref name="finalName"/> only, when
    /// given) whose writing process is gone. Nothing else is touched, and a file a running build writes stays.
    /// </summary>
    public static void RemoveAbandoned(string directory, string? finalName = null)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }
        var pattern = finalName is null ? ".*.tmp" : $".{finalName}.*.tmp";
        foreach (var file in Directory.EnumerateFiles(directory, pattern))
        {
            var name = Path.GetFileName(file);
            var suffix = name[..^".tmp".Length];
            var dash = suffix.LastIndexOf('-');
            var dot = dash < 0 ? -1 : suffix.LastIndexOf('.', dash);
            if (dot >= 0 && int.TryParse(suffix[(dot + 1)..dash], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
                && !IsRunning(pid))
            {
                AtomicFile.TryDelete(file);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public FileStream Stream { get; }

    public string TemporaryPath { get; }

    /// <summary>
    /// Closes the stream and moves the file to <paramref name="finalPath"/>. With <paramref name="keepExisting"/>
    /// (content-addressed files, whose name says what they hold) a file already there stays and this one is dropped.
    /// </summary>
    public void Commit(string finalPath, bool keepExisting = false)
    {
        Stream.Dispose();
        if (keepExisting && File.Exists(finalPath))
        {
            File.Delete(TemporaryPath);
        }
        else
        {
            File.Move(TemporaryPath, finalPath, overwrite: true);
        }
        _committed = true;
    }

    public void Dispose()
    {
        Stream.Dispose();
        if (!_committed)
        {
            AtomicFile.TryDelete(TemporaryPath);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync().ConfigureAwait(false);
        if (!_committed)
        {
            AtomicFile.TryDelete(TemporaryPath);
        }
    }
}
