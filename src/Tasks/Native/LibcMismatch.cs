namespace Containers.Build.Native;

/// <summary>
/// A native file built for one C library in an image that has only the other's loader (a linux-musl asset on a
/// Debian base, or a glibc one on Alpine): it cannot load there at all, whatever else the image holds.
/// </summary>
public sealed record LibcMismatch(LibcFlavor File, LibcFlavor Image);
