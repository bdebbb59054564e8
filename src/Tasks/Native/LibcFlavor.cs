namespace Containers.Build.Native;

/// <summary>
/// The C library a native file was linked against, or an image provides. A file built for one cannot be loaded
/// with the other's loader: a musl library (linux-musl-x64 assets) fails on a Debian base, a glibc one on Alpine.
/// </summary>
public enum LibcFlavor
{
    /// <summary>Neither could be told (a static file, or one that names no C library).</summary>
    Unknown,

    /// <summary>The GNU C library: loader ld-linux*.so.*, library libc.so.6.</summary>
    Glibc,

    /// <summary>musl, as on Alpine: loader and library ld-musl-&lt;arch&gt;.so.1, named libc.musl-&lt;arch&gt;.so.1.</summary>
    Musl,
}
