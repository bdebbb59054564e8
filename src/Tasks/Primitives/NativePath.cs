using System.Text;

namespace Containers.Build;

/// <summary>
/// A path as the runtime's native shim takes one (UTF-8, ending in a NUL byte), made from a directory and a name in a
/// buffer reused from one path to the next: a walk or a reader of tens of thousands of files makes no string per file.
/// </summary>
internal sealed class NativePath
{
    private byte[] _bytes = new byte[512];
    private int _length;

    /// <summary>The path's bytes, then a NUL byte, for the shim to read.</summary>
    public ref byte Start => ref _bytes[0];

    /// <summary>Makes the path <paramref name="directory"/>, a '/' (unless the directory ends in one), and <paramref name="name"/>.</summary>
    public void Set(ReadOnlySpan<char> directory, ReadOnlySpan<char> name)
    {
        var most = Encoding.UTF8.GetMaxByteCount(directory.Length + 1 + name.Length) + 1;
        if (_bytes.Length < most)
        {
            _bytes = new byte[most];
        }
        var length = Encoding.UTF8.GetBytes(directory, _bytes);
        if (!directory.EndsWith('/'))
        {
            _bytes[length++] = (byte)'/';
        }
        length += Encoding.UTF8.GetBytes(name, _bytes.AsSpan(length));
        _bytes[length] = 0;
        _length = length;
    }

    /// <summary>The path as a string, for a message or an API that takes one.</summary>
    public override string ToString() => Encoding.UTF8.GetString(_bytes, 0, _length);
}
