namespace Containers.Build;

/// <summary>
/// Writes a file under a temporary name next to it and moves it into place, so a reader (or a cancelled
/// build) never sees it half-written.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + $".{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temporary, content);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            Layers.ContentStore.TryDelete(temporary);
        }
    }
}
