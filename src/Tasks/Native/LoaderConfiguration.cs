using System.Text.RegularExpressions;
using Containers.Build.Layers;

namespace Containers.Build.Native;

/// <summary>
/// The directories the image's dynamic loader is configured with beyond its defaults: <c>/etc/ld.so.conf</c>, the files it
/// includes (Debian's includes <c>/etc/ld.so.conf.d/*.conf</c>), and every <c>/etc/ld.so.conf.d/*.conf</c> whether included or
/// not, as the check looks in a superset of the loader's directories. A base that keeps libraries in <c>/opt/vendor/lib</c>
/// and says so there has them found.
/// </summary>
public static class LoaderConfiguration
{
    /// <summary>The most of such a file that is read; the rest is ignored (they are a few lines).</summary>
    public const int MaxBytes = 64 * 1024;

    private const string MainFile = "etc/ld.so.conf";
    private const string IncludedDirectory = "etc/ld.so.conf.d";
    private const string IncludedPrefix = IncludedDirectory + "/";

    /// <summary>Whether a layer path (no leading '/') is <c>etc/ld.so.conf</c> or a <c>.conf</c> file right in <c>etc/ld.so.conf.d</c>.</summary>
    public static bool IsConfigurationPath(string path)
        => path == MainFile
           || (path.StartsWith(IncludedPrefix, StringComparison.Ordinal) && path.EndsWith(".conf", StringComparison.Ordinal)
               && path.IndexOf('/', IncludedPrefix.Length) < 0);

    /// <summary>For a planned entry that is a loader configuration file (a ContainerFile item's, say), its text; else null.</summary>
    public static string? TextOf(LayerEntry entry)
    {
        if (entry.Kind != LayerEntryKind.File || !IsConfigurationPath(entry.ContainerPath))
        {
            return null;
        }
        using var content = entry.OpenContent();
        return LayerFileList.TextOf(content);
    }

    /// <summary>The configured directories, absolute, in the order the files name them, each once.</summary>
    public static IReadOnlyList<string> DirectoriesOf(ImageFileSystem image)
    {
        var directories = new List<string>();
        var read = new HashSet<string>(StringComparer.Ordinal);
        Read("/" + MainFile, image, directories, read, depth: 0);
        foreach (var file in Glob("/" + IncludedPrefix + "*.conf", image))
        {
            Read(file, image, directories, read, depth: 0);
        }
        return directories.Distinct(StringComparer.Ordinal).ToArray();
    }

    private static void Read(string file, ImageFileSystem image, List<string> directories, HashSet<string> read, int depth)
    {
        // An include that includes itself, or a chain of them, ends here.
        if (depth > 8 || !read.Add(file) || image.Resolve(file)?.Text is not { } text)
        {
            return;
        }
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Split('#')[0].Trim();
            if (line.Length == 0 || line.StartsWith("hwcap ", StringComparison.Ordinal))
            {
                continue;
            }
            if (line.StartsWith("include", StringComparison.Ordinal) && line.Length > 7 && char.IsWhiteSpace(line[7]))
            {
                foreach (var pattern in line[8..].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                {
                    var absolute = pattern.StartsWith('/') ? pattern : "/etc/" + pattern;
                    foreach (var included in Glob(absolute, image))
                    {
                        Read(included, image, directories, read, depth + 1);
                    }
                }
                continue;
            }
            // ldconfig takes directories separated by white space, ':' or ','.
            directories.AddRange(line.Split((char[])[' ', '\t', ':', ','], StringSplitOptions.RemoveEmptyEntries).Where(d => d.StartsWith('/')).Select(d => d.TrimEnd('/')).Where(d => d.Length > 0));
        }
    }

    /// <summary>The files a pattern with '*', '?' or '[…]' in its last segment names, sorted; the path itself when it has none.</summary>
    private static IEnumerable<string> Glob(string pattern, ImageFileSystem image)
    {
        var slash = pattern.LastIndexOf('/');
        var directory = pattern[..slash];
        var name = pattern[(slash + 1)..];
        if (name.IndexOfAny(['*', '?', '[']) < 0)
        {
            return [pattern];
        }
        var matcher = new Regex("^" + Regex.Escape(name).Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]").Replace(@"\[", "[") + "$", RegexOptions.CultureInvariant);
        return image.ListDirectory(directory.Length == 0 ? "/" : directory)
            .Select(entry => entry.Path[(entry.Path.LastIndexOf('/') + 1)..])
            .Where(found => matcher.IsMatch(found))
            .Order(StringComparer.Ordinal)
            .Select(found => $"{directory}/{found}")
            .ToArray();
    }
}
