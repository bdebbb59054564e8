namespace Containers.Build.Layers;

/// <summary>
/// The NuGet package a published file was unpacked from, and its entry there: a gzip layer can carry the entry's
/// deflate bytes as they are instead of compressing the file again (<see cref="PackageArchive"/>).
/// </summary>
/// <param name="PackagePath">The package's .nupkg, beside the folder NuGet unpacked it into.</param>
/// <param name="EntryName">The file's path in the package ('/' separated, unescaped), as the assets file gives it.</param>
public sealed record PackedFile(string PackagePath, string EntryName)
{
    /// <summary>
    /// Where a package asset came from, from its publish item's metadata (FullPath, PathInPackage, NuGetPackageId,
    /// NuGetPackageVersion); null when the item is not a file of an unpacked package whose .nupkg is still there (a pack
    /// from the SDK's packs folder, a fallback folder without archives, a file the build made).
    /// </summary>
    public static PackedFile? Locate(string fullPath, string pathInPackage, string packageId, string packageVersion)
    {
        if (fullPath.Length == 0 || pathInPackage.Length == 0 || packageId.Length == 0 || packageVersion.Length == 0)
        {
            return null;
        }
        var entryName = pathInPackage.Replace('\\', '/');
        var file = fullPath.Replace('\\', '/');
        // The global packages folder unpacks <id>/<version>/<path in package>, the archive beside: <id>.<version>.nupkg,
        // both lowercased (NuGet's own layout).
        if (!file.EndsWith("/" + entryName, StringComparison.Ordinal))
        {
            return null;
        }
        var packageRoot = fullPath[..(fullPath.Length - entryName.Length)];
        var archive = Path.Combine(packageRoot, $"{packageId.ToLowerInvariant()}.{packageVersion.ToLowerInvariant()}.nupkg");
        return File.Exists(archive) ? new PackedFile(archive, entryName) : null;
    }
}
