namespace Containers.Build.Layers;

/// <summary>Byte-for-byte comparison of two files, reading both only as far as the first difference.</summary>
public static class FileContent
{
    public static bool AreEqual(string first, string second)
    {
        if (string.Equals(Path.GetFullPath(first), Path.GetFullPath(second), StringComparison.Ordinal))
        {
            return true;
        }
        using var a = new FileStream(first, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        using var b = new FileStream(second, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        if (a.Length != b.Length)
        {
            return false;
        }
        var bufferA = new byte[1 << 16];
        var bufferB = new byte[1 << 16];
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
