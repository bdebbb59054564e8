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
    private const int BlockDevice = 0x6000;
    private const int Socket = 0xC000;

    /// <summary>"a FIFO", "a socket", "a character device" or "a block device"; null for files, directories and links (and on Windows).</summary>
    public static string? SpecialKindOf(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        // The runtime's FileStatus starts with Flags (int) and Mode (int): 512 bytes hold every version of it.
        var status = new byte[512];
        if (LStat(path, status) != 0)
        {
            return null;
        }
        return (BitConverter.ToInt32(status, 4) & TypeMask) switch
        {
            Fifo => "a FIFO (named pipe)",
            Socket => "a socket",
            CharacterDevice => "a character device",
            BlockDevice => "a block device",
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="path"/> names something (a link itself, not its target); always true on Windows.</summary>
    public static bool Exists(string path)
        => OperatingSystem.IsWindows() || LStat(path, new byte[512]) == 0;

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat")]
    private static extern int LStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] status);
}
