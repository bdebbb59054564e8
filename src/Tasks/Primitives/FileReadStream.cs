using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Containers.Build;

/// <summary>
/// A file opened for reading, unbuffered (the caller reads through its own buffer), seekable, its length taken once when
/// it is opened. A <see cref="FileStream"/> wraps the same handle in a strategy object: a publish opens every file of the
/// app, and opening, reading and closing one allocated 160 bytes that way, 112 this way (2.4 MB less on a folder of 50,000
/// files), in MSBuild's process, where what a task allocates stays resident until the next collection (docs/benchmarks.md).
/// </summary>
/// <remarks>
/// A reader that goes through a folder's files one after another (<see cref="Reusable"/>, <see cref="OpenAt"/>) is one
/// object for all of them, and on Unix opens each by a path it encodes into a buffer of its own, through the runtime's
/// native shim (as <see cref="Layers.FileType"/> asks lstat): no path string, handle or stream per file, which were 8.4 MB,
/// 3.3 MB and 2.5 MB of a folder of 50,000 files. Where that open fails, the file is opened again as
/// <see cref="File.OpenHandle"/> opens it, so a missing or unreadable file fails with the same exception as ever.
/// </remarks>
public sealed unsafe class FileReadStream : Stream
{
    // The runtime shim's own flag values (PAL_O_RDONLY | PAL_O_CLOEXEC) and whence (PAL_SEEK_END), the same on every Unix.
    private const int ReadOnlyCloseOnExec = 0x0010;
    private const int SeekEnd = 2;

    // The shim's FileStatus: Flags (int), then Mode (int), whose type bits are the same on Linux and macOS; 512 bytes hold
    // every version of it (as in FileType).
    private const int StatusSize = 512;
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;

    private readonly bool _reusable;
    private SafeFileHandle? _handle;
    private nint _descriptor = -1;
    private NativePath? _path;
    private long _position;

    /// <summary>Opens <paramref name="path"/> for reading; others may read it too, none may write it while it is open.</summary>
    public FileReadStream(string path)
    {
        OpenHandle(path);
    }

    private FileReadStream(bool reusable)
    {
        _reusable = reusable;
    }

    /// <summary>A reader with no file open, for <see cref="OpenAt"/>: one per thread that reads files one after another.</summary>
    public static FileReadStream Reusable() => new(reusable: true);

    /// <summary>
    /// Opens <paramref name="directory"/>/<paramref name="relativePath"/> in this reader, which must have none open (each
    /// is disposed, that is closed, before the next): this reader itself, positioned at the file's start.
    /// </summary>
    public FileReadStream OpenAt(string directory, ReadOnlySpan<char> relativePath)
    {
        if (!_reusable)
        {
            throw new InvalidOperationException("Only a reader made by FileReadStream.Reusable opens one file after another.");
        }
        if (IsOpen)
        {
            throw new InvalidOperationException("The reader's file before is still open: dispose it first.");
        }
        _position = 0;
        if (!OperatingSystem.IsWindows() && TryOpenDescriptor(directory, relativePath))
        {
            return this;
        }
        OpenHandle(Path.Join(directory, relativePath));
        return this;
    }

    public override long Length => _length;

    private long _length;

    private bool IsOpen => _descriptor >= 0 || _handle is not null;

    public override bool CanRead => IsOpen;
    public override bool CanSeek => IsOpen;
    public override bool CanWrite => false;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        if (_descriptor >= 0)
        {
            fixed (byte* bytes = buffer)
            {
                read = PRead(_descriptor, bytes, buffer.Length, _position);
            }
            if (read < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                throw new IOException($"Reading '{_path}' failed: {Marshal.GetPInvokeErrorMessage(error)}.", error);
            }
        }
        else
        {
            ObjectDisposedException.ThrowIf(_handle is null, this);
            read = RandomAccess.Read(_handle, buffer, _position);
        }
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Closes the file; a reusable reader may then open the next (<see cref="OpenAt"/>).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_descriptor >= 0)
            {
                _ = Close(_descriptor);
                _descriptor = -1;
            }
            _handle?.Dispose();
            _handle = null;
        }
        base.Dispose(disposing);
    }

    private void OpenHandle(string path)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        _length = RandomAccess.GetLength(_handle);
    }

    /// <summary>Opens the file by a path encoded into <see cref="_path"/>; false (nothing open) where it cannot.</summary>
    private bool TryOpenDescriptor(string directory, ReadOnlySpan<char> relativePath)
    {
        _path ??= new NativePath();
        _path.Set(directory, relativePath);
        nint descriptor;
        fixed (byte* path = &_path.Start)
        {
            descriptor = Open(path, ReadOnlyCloseOnExec, 0);
        }
        if (descriptor < 0)
        {
            return false;
        }
        // Anything but a regular file (the walk saw one, but the folder may have changed since) is opened as .NET opens it.
        var status = stackalloc byte[StatusSize];
        var end = FStat(descriptor, status) == 0 && (*(int*)(status + 4) & FileTypeMask) == RegularFile ? LSeek(descriptor, 0, SeekEnd) : -1;
        if (end < 0)
        {
            _ = Close(descriptor);
            return false;
        }
        _descriptor = descriptor;
        _length = end;
        return true;
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Open", SetLastError = true)]
    private static extern nint Open(byte* path, int flags, int mode);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_PRead", SetLastError = true)]
    private static extern int PRead(nint descriptor, byte* buffer, int count, long offset);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_FStat", SetLastError = true)]
    private static extern int FStat(nint descriptor, byte* status);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LSeek", SetLastError = true)]
    private static extern long LSeek(nint descriptor, long offset, int whence);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Close", SetLastError = true)]
    private static extern int Close(nint descriptor);
}
