namespace Containers.Build.Native;

/// <summary>
/// Whether the app's native files will load in their image: for each, the loader it asks for and every library it
/// needs looked up where the dynamic loader would look, in the image's file tree. SkiaSharp's libSkiaSharp.so needs
/// libfontconfig.so.1, which the .NET base images do not have; this finds that at build time instead of at the first
/// request that draws text.
/// </summary>
/// <remarks>
/// The search is a superset of the loader's (every directory it could look in, not the one order it would), so
/// what this reports missing is missing, and a library the loader would find is never reported: the file's own
/// folder (<c>$ORIGIN</c>, because .NET loads native assets from the app folder and NuGet natives use it), its
/// RUNPATH/RPATH, LD_LIBRARY_PATH, the default and multiarch directories, and those the image's <c>/etc/ld.so.conf</c> and
/// <c>/etc/ld.so.conf.d/*.conf</c> name (<see cref="LoaderConfiguration"/>). Not consulted: run paths relative to the
/// working directory or with other substitutions than <c>$ORIGIN</c>, and needed names with a relative path. Only the
/// app's files are read: the libraries they find are taken to load, as the base's own packages are built to.
/// </remarks>
public static class NativeDependencyCheck
{
    private static readonly string[] DefaultDirectories = ["/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib"];

    /// <summary>
    /// The C library's own parts, under either name scheme: when a file is built for the other C library these are
    /// missing because of it, which <see cref="LibcMismatch"/> says once.
    /// </summary>
    private static readonly HashSet<string> LibcLibraries = new(StringComparer.Ordinal)
    {
        "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1", "libresolv.so.2", "libanl.so.1",
    };

    /// <summary>
    /// The findings for the app's native files, by path (a file the image cannot load, or that loads with nothing
    /// missing, gives none). Files for another architecture than <paramref name="architecture"/> (an OCI name:
    /// amd64, arm64, ...) are skipped: they never load in this image, and the publish output carries them for
    /// other runtimes. <paramref name="image"/> is the whole image, base and app layers.
    /// </summary>
    /// <param name="ldLibraryPath">The directories of the image's LD_LIBRARY_PATH, in order.</param>
    public static IReadOnlyList<NativeDependencyFinding> Check(
        IReadOnlyList<(string ImagePath, ElfFile Elf)> appFiles,
        ImageFileSystem image,
        string architecture,
        IReadOnlyList<string> ldLibraryPath)
    {
        var imageLibc = new Lazy<ImageLibc>(() => ImageLibc.Of(image));
        var systemDirectories = DefaultDirectories.Concat(MultiarchDirectories(architecture)).Concat(LoaderConfiguration.DirectoriesOf(image)).ToList();
        var findings = new List<NativeDependencyFinding>();
        foreach (var (imagePath, elf) in appFiles.OrderBy(file => file.ImagePath, StringComparer.Ordinal))
        {
            if (elf.Architecture != architecture || (elf.Interpreter is null && elf.Needed.Count == 0))
            {
                continue;
            }
            var mismatch = imageLibc.Value.Mismatch(elf.Libc);
            var missingInterpreter = mismatch is null && elf.Interpreter is { } interpreter && !IsLoadable(image, interpreter) ? interpreter : null;

            var origin = DirectoryOf("/" + imagePath.TrimStart('/'));
            var directories = new[] { origin }
                .Concat(elf.RunPaths.Select(path => ExpandOrigin(path, origin)))
                .Concat(ldLibraryPath.Select(path => ExpandOrigin(path, origin)))
                .Concat(systemDirectories)
                .Where(directory => directory.StartsWith('/') && !directory.Contains('$'))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            var missing = elf.Needed
                .Where(name => mismatch is null || !IsLibcPart(name))
                .Where(name => !IsFound(image, name, directories))
                .Distinct(StringComparer.Ordinal)
                .ToList();

            if (missing.Count > 0 || missingInterpreter is not null || mismatch is not null)
            {
                findings.Add(new NativeDependencyFinding(imagePath, missing, missingInterpreter, mismatch));
            }
        }
        return findings;
    }

    /// <summary>The Debian/Ubuntu multiarch directories the loader is configured with for <paramref name="architecture"/>.</summary>
    private static IEnumerable<string> MultiarchDirectories(string architecture)
    {
        var triplet = architecture switch
        {
            "amd64" => "x86_64-linux-gnu",
            "arm64" => "aarch64-linux-gnu",
            "arm" => "arm-linux-gnueabihf",
            "386" => "i386-linux-gnu",
            "ppc64le" => "powerpc64le-linux-gnu",
            "s390x" => "s390x-linux-gnu",
            "riscv64" => "riscv64-linux-gnu",
            "loong64" => "loongarch64-linux-gnu",
            _ => null,
        };
        return triplet is null ? [] : [$"/lib/{triplet}", $"/usr/lib/{triplet}", $"/usr/local/lib/{triplet}"];
    }

    private static bool IsFound(ImageFileSystem image, string name, IReadOnlyList<string> directories)
    {
        if (name.Contains('/'))
        {
            // A path, not a soname: taken as it is; relative to the working directory, which is not known here.
            return !name.StartsWith('/') || IsLoadable(image, name);
        }
        return directories.Any(directory => IsLoadable(image, $"{directory.TrimEnd('/')}/{name}"));
    }

    /// <summary>Whether opening the path gets a file: links followed to their end, a directory or a dangling link is not one.</summary>
    private static bool IsLoadable(ImageFileSystem image, string path) => image.Resolve(path) is { Kind: not LayerPathKind.Directory };

    private static bool IsLibcPart(string name)
        => LibcLibraries.Contains(name)
           || name.StartsWith("ld-linux", StringComparison.Ordinal)
           || name.StartsWith("ld64.so.", StringComparison.Ordinal)
           || name.StartsWith("ld-musl-", StringComparison.Ordinal)
           || name.StartsWith("libc.musl-", StringComparison.Ordinal);

    private static string DirectoryOf(string imagePath)
    {
        var slash = imagePath.LastIndexOf('/');
        return slash <= 0 ? "/" : imagePath[..slash];
    }

    private static string ExpandOrigin(string path, string origin)
        => path.Replace("${ORIGIN}", origin, StringComparison.Ordinal).Replace("$ORIGIN", origin, StringComparison.Ordinal);

    /// <summary>Which C library loaders the image has, in the <c>/lib*</c> directories where programs ask for them.</summary>
    private sealed record ImageLibc(bool HasMusl, bool HasGlibc)
    {
        public static ImageLibc Of(ImageFileSystem image)
        {
            var loaders = image.ListDirectory("/")
                .Select(entry => NameOf(entry.Path))
                .Where(name => name.StartsWith("lib", StringComparison.Ordinal))
                .SelectMany(directory => image.ListDirectory("/" + directory))
                .Select(entry => NameOf(entry.Path))
                .ToList();
            return new ImageLibc(
                HasMusl: loaders.Any(name => name.StartsWith("ld-musl-", StringComparison.Ordinal) && name.EndsWith(".so.1", StringComparison.Ordinal)),
                HasGlibc: loaders.Any(name => (name.StartsWith("ld-linux", StringComparison.Ordinal) && name.Contains(".so.", StringComparison.Ordinal))
                                              || name.StartsWith("ld64.so.", StringComparison.Ordinal)));
        }

        /// <summary>The mismatch when the image has only the other C library's loader; null when the file's could be there, or either is unknown.</summary>
        public LibcMismatch? Mismatch(LibcFlavor file) => file switch
        {
            LibcFlavor.Musl when !HasMusl && HasGlibc => new LibcMismatch(LibcFlavor.Musl, LibcFlavor.Glibc),
            LibcFlavor.Glibc when !HasGlibc && HasMusl => new LibcMismatch(LibcFlavor.Glibc, LibcFlavor.Musl),
            _ => null,
        };

        private static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];
    }
}
