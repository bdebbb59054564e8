namespace Containers.Build.Layers;

/// <summary>Byte-for-byte comparison of two files' contents, reading both only as far as the first difference.</summary>
public static class FileContent
{
    public static bool AreEqual(string first, string second)
        => AreEqual(LayerEntry.File("a", first, false), LayerEntry.File("b", second, false));

    public static bool AreEqual(LayerEntry first, LayerEntry second)
    {
        if (first.Content is null && second.Content is null && first.Overlay is null && second.Overlay is null
            && string.Equals(Path.GetFullPath(first.SourcePath!), Path.GetFullPath(second.SourcePath!), StringComparison.Ordinal))
        {
            return true;
        }
        using var a = first.OpenContent();
        using var b = second.OpenContent();
        if (a.Length != b.Length)
        {
            return false;
        }
        var bufferA = new byte[FileBuffer.Size];
        var bufferB = new byte[FileBuffer.Size];
        while (true)
        {
            var read = a.ReadAtLeast(bufferA, bufferA.Length, throwOnEndOfStream: false);
            b.ReadExactly(bufferB, 0, read);
            if (!bufferA.AsSpan(0, read).SequenceEqual(bufferB.AsSpan(0, read)))
            {
                return false;
            }
            if (read < bufferA.Length)
            {
                return true;
            }
        }
    }
}
