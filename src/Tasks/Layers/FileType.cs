using System.Runtime.InteropServices;

namespace Containers.Build.Layers;

/// <summary>
/// What kind of file system object a path is, beyond what <see cref="FileSystemInfo"/> says: on Unix it reports a
/// FIFO, a socket or a device as a plain file, and opening a FIFO blocks until someone writes to it. The type
/// comes from lstat, through the .NET runtime's own native shim (the same call FileSystemInfo makes), so the
/// layout does not depend on the processor or the C library.
/// </summary>
internal static class FileType
{
    // st_mode's file type bits, the same on Linux and macOS.
    private const int TypeMask = 0xF000;
    private const int Fifo = 0x1000;
    private const int CharacterDevice = 0x2000;
    private const int Directory = 0x4000;
    private const int BlockDevice = 0x6000;
    private const int Regular = 0x8000;
    private const int Link = 0xA000;
    private const int Socket = 0xC000;
    private const int AnyExecute = 0b001_001_001;

    // The runtime's FileStatus starts with Flags (int) and Mode (int): 512 bytes hold every version of it.
    private const int StatusSize = 512;

    /// <summary>"a FIFO", "a socket", "a character device" or "a block device"; null for files, directories and links (and on Windows).</summary>
    public static string? SpecialKindOf(string path)
        => OperatingSystem.IsWindows() ? null : Of(path, new byte[StatusSize])?.Special;

    /// <summary>Whether <paramref name="path"/> names something (a link itself, not its target); always true on Windows.</summary>
    public static bool Exists(string path)
        => OperatingSystem.IsWindows() || LStat(path, new byte[StatusSize]) == 0;

    /// <summary>A buffer for <see cref="Of(string, byte[])"/>, to reuse for every path of a walk.</summary>
    public static byte[] NewStatusBuffer() => new byte[StatusSize];

    /// <summary>
    /// The path itself (a link, not its target), from one lstat on Unix; null when nothing is there. On Windows, from
    /// its attributes, and nothing there is executable.
    /// </summary>
    public static PathStatus? Of(string path, byte[] statusBuffer)
    {
        if (OperatingSystem.IsWindows())
        {
            var attributes = File.GetAttributes(path);
            // Only a reparse point that is a link (not, say, a cloud placeholder) is a link.
            var isLink = attributes.HasFlag(FileAttributes.ReparsePoint) && new FileInfo(path).LinkTarget is not null;
            return new PathStatus(
                isLink ? PathKind.Link : attributes.HasFlag(FileAttributes.Directory) ? PathKind.Directory : PathKind.File,
                AnyExecuteBit: false, Special: null);
        }
        return LStat(path, statusBuffer) != 0 ? null : StatusOf(statusBuffer);
    }

    private static PathStatus StatusOf(byte[] statusBuffer)
    {
        var mode = BitConverter.ToInt32(statusBuffer, 4);
        return (mode & TypeMask) switch
        {
            Regular => new PathStatus(PathKind.File, (mode & AnyExecute) != 0, null),
            Directory => new PathStatus(PathKind.Directory, false, null),
            Link => new PathStatus(PathKind.Link, false, null),
            Fifo => new PathStatus(PathKind.Special, false, "a FIFO (named pipe)"),
            Socket => new PathStatus(PathKind.Special, false, "a socket"),
            CharacterDevice => new PathStatus(PathKind.Special, false, "a character device"),
            BlockDevice => new PathStatus(PathKind.Special, false, "a block device"),
            _ => new PathStatus(PathKind.Special, false, "an object of an unknown type"),
        };
    }

    /// <summary>The same as <see cref="Of(string, byte[])"/> for a path made in a reused buffer: a walk makes no string per name.</summary>
    public static unsafe PathStatus? Of(NativePath path, byte[] statusBuffer)
    {
        if (OperatingSystem.IsWindows())
        {
            return Of(path.ToString(), statusBuffer);
        }
        fixed (byte* bytes = &path.Start)
        {
            return LStat(bytes, statusBuffer) != 0 ? null : StatusOf(statusBuffer);
        }
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat")]
    private static extern int LStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] status);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat")]
    private static extern unsafe int LStat(byte* path, byte[] status);
}

internal enum PathKind
{
    File,
    Directory,
    Link,
    Special,
}

/// <param name="AnyExecuteBit">A regular file with an execute bit for anyone (its owner, its group or others).</param>
/// <param name="Special">For <see cref="PathKind.Special"/>: what it is ("a FIFO (named pipe)"), for the error.</param>
internal readonly record struct PathStatus(PathKind Kind, bool AnyExecuteBit, string? Special);
