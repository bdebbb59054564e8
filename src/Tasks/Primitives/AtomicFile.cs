namespace Containers.Build;

/// <summary>
/// Whole files written so that a reader (or a cancelled build) never sees one half-written: under a
/// temporary name next to it, then moved into place (<see cref="PendingFile"/>).
/// </summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        using var pending = PendingFile.For(path);
        pending.Stream.Write(content);
        pending.Commit(Path.GetFullPath(path));
    }

    /// <summary>Writes <paramref name="path"/> from what <paramref name="write"/> puts into the stream it is given.</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        await using var pending = PendingFile.For(path, useAsync: true);
        await write(pending.Stream, cancellationToken).ConfigureAwait(false);
        await pending.Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        pending.Commit(Path.GetFullPath(path));
    }

    /// <summary>Deletes a file if it can; for cleaning up after a failure, where a second error would hide the first.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
