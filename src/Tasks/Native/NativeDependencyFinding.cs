namespace Containers.Build.Native;

/// <summary>
/// A native file of the app that will not load in its image, and why: the libraries the loader will not find (in the
/// order the file needs them), the program interpreter the image lacks, or a C library the image does not have.
/// </summary>
/// <param name="ImagePath">Where the file is in the image (<c>/app/libSkiaSharp.so</c>).</param>
/// <param name="MissingLibraries">Needed sonames found in none of the directories the loader searches; never the C library's own when <paramref name="Libc"/> says it is the wrong one.</param>
/// <param name="MissingInterpreter">The PT_INTERP loader a program asks for, when the image does not have it.</param>
public sealed record NativeDependencyFinding(
    string ImagePath,
    IReadOnlyList<string> MissingLibraries,
    string? MissingInterpreter,
    LibcMismatch? Libc);
