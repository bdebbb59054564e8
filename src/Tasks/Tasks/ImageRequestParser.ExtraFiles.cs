using System.Globalization;
using Containers.Build.Layers;

namespace Containers.Build.Tasks;

/// <summary>The rules for ContainerFile and ContainerDirectory items: destinations, modes and owners.</summary>
public static partial class ImageRequestParser
{
    public sealed partial record Inputs
    {
        /// <summary>@(ContainerFile): files (globs expanded by MSBuild) to put into the image.</summary>
        public IReadOnlyList<ContainerFileInput> ContainerFiles { get; init; } = [];

        /// <summary>@(ContainerDirectory): empty directories to put into the image.</summary>
        public IReadOnlyList<ContainerDirectoryInput> ContainerDirectories { get; init; } = [];
    }

    /// <summary>A ContainerFile item.</summary>
    /// <param name="Item">Its Include as written (the item spec), for messages.</param>
    /// <param name="SourcePath">Its full path.</param>
    /// <param name="RecursiveDir">%(RecursiveDir): the part of the path a '**' matched, kept under a Destination ending in '/'.</param>
    /// <param name="FileName">%(Filename)%(Extension).</param>
    public sealed record ContainerFileInput(string Item, string SourcePath, string? Destination, string? RecursiveDir, string FileName, string? Mode, string? Owner);

    /// <summary>A ContainerDirectory item: Include is the directory in the image.</summary>
    public sealed record ContainerDirectoryInput(string Item, string? Mode, string? Owner);

    /// <summary>The items, checked: absolute destinations without '.', '..' or whiteout names, octal modes, owners, no two items at one path.</summary>
    public static ExtraFiles ParseExtraFiles(Inputs inputs)
    {
        var byPath = new Dictionary<string, string>(StringComparer.Ordinal);
        void Claim(string path, string item)
        {
            if (byPath.TryGetValue(path, out var other))
            {
                throw new ContainersBuildException(DiagnosticCodes.ContainerItemCollision,
                    $"The {item} and the {other} both go to '/{path}'. Give each its own Destination (a Destination ending in '/' keeps each file's name).");
            }
            byPath[path] = item;
        }

        var files = new List<ExtraFile>();
        foreach (var file in inputs.ContainerFiles)
        {
            var item = $"ContainerFile '{file.Item}'";
            if (string.IsNullOrWhiteSpace(file.Destination))
            {
                throw new ContainersBuildException(DiagnosticCodes.ContainerItemPathInvalid,
                    $"The {item} has no Destination. Give the absolute path in the image, e.g. Destination=\"/etc/app/app.json\", or a directory ending in '/' to keep the file's name.");
            }
            var destination = file.Destination.Trim();
            if (destination.EndsWith('/'))
            {
                destination += (file.RecursiveDir ?? "").Replace('\\', '/') + file.FileName;
            }
            var path = ParseContainerPath(destination, item, "Destination");
            var mode = string.IsNullOrWhiteSpace(file.Mode) ? (int?)null : ParseMode(file.Mode, item);
            files.Add(new ExtraFile(file.Item, file.SourcePath, path, mode, ParseItemOwner(file.Owner, item)));
            Claim(path, item);
        }
        var directories = new List<ExtraDirectory>();
        foreach (var directory in inputs.ContainerDirectories)
        {
            var item = $"ContainerDirectory '{directory.Item}'";
            var path = ParseContainerPath(directory.Item.Trim(), item, "Include");
            var mode = string.IsNullOrWhiteSpace(directory.Mode) ? LayerEntry.DirectoryMode : ParseMode(directory.Mode, item);
            directories.Add(new ExtraDirectory(directory.Item, path, mode, ParseItemOwner(directory.Owner, item)));
            Claim(path, item);
        }
        return files.Count == 0 && directories.Count == 0 ? ExtraFiles.None : new ExtraFiles(files, directories);
    }

    /// <summary>An absolute POSIX path in the image, as a layer entry's relative path (<c>/etc/app/</c> gives <c>etc/app</c>).</summary>
    private static string ParseContainerPath(string value, string item, string metadata)
    {
        var trimmed = value.Length > 1 ? value.TrimEnd('/') : value;
        var segments = trimmed.Split('/');
        if (!trimmed.StartsWith('/') || trimmed == "/" || segments.Skip(1).Any(s => s is "" or "." or "..") || trimmed.Contains('\0'))
        {
            throw new ContainersBuildException(DiagnosticCodes.ContainerItemPathInvalid,
                $"The {item} has {metadata} '{value}', which is not an absolute path in the image without '.', '..' or empty parts. Use a path such as /etc/app/app.json or /data.");
        }
        if (segments.FirstOrDefault(s => s.StartsWith(".wh.", StringComparison.Ordinal)) is { } whiteout)
        {
            throw new ContainersBuildException(DiagnosticCodes.ContainerItemPathWhiteout,
                $"The {item} goes to '{value}', whose part '{whiteout}' starts with '.wh.': in an image layer that means \"delete this file\" (an OCI whiteout). Choose another name.");
        }
        return trimmed[1..];
    }

    /// <summary>An octal mode: 0644, 644, 0755, 1777 (the sticky bit), at most 07777.</summary>
    private static int ParseMode(string value, string item)
    {
        var text = value.Trim();
        if (text.Length is >= 3 and <= 5 && text.All(c => c is >= '0' and <= '7'))
        {
            var mode = Convert.ToInt32(text, 8);
            if (mode <= 0b111_111_111_111)
            {
                return mode;
            }
        }
        throw new ContainersBuildException(DiagnosticCodes.ContainerItemModeInvalid,
            $"The {item} has Mode '{value}', which is not an octal file mode. Use three or four octal digits, such as 0644 (read-write for the owner, read-only for others), 0640 or 0755.");
    }

    private static LayerOwner ParseItemOwner(string? value, string item)
    {
        var text = (value ?? "").Trim();
        if (text.Length == 0)
        {
            return LayerOwner.Root;
        }
        if (LayerOwner.TryParse(text, out var owner))
        {
            return owner;
        }
        throw new ContainersBuildException(DiagnosticCodes.ContainerItemOwnerInvalid,
            $"The {item} has Owner '{value}', which is not an owner. Use root (the default), app (the image's user) or a numeric uid[:gid].");
    }
}
