namespace Containers.Build.Native;

/// <summary>
/// The file tree a container sees: its layers' entries applied bottom to top, as an overlay file system shows them,
/// built from the layers' lists alone (<see cref="LayerFileList"/>), never from their bytes. Lookups follow symbolic
/// links the way the kernel does, so a Debian "usr-merge" image's <c>/lib</c> (a link to <c>usr/lib</c>) finds what
/// <c>usr/lib</c> holds.
/// </summary>
/// <remarks>
/// OCI whiteouts are honoured: <c>.wh.NAME</c> removes NAME, and everything under it, that lower layers had;
/// <c>.wh..wh..opq</c> empties its directory of what lower layers had. Neither hides what its own layer adds, and
/// neither is itself a file of the image. A directory an upper layer has where a lower one had a file or a link
/// replaces it, as overlayfs shows it.
/// </remarks>
public sealed class ImageFileSystem
{
    /// <summary>The kernel's limit on links followed in one lookup (MAXSYMLINKS), which also ends a lookup caught in a loop.</summary>
    private const int MaxLinkHops = 40;

    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";

    private readonly Node _root = Node.Directory(new LayerPath("", LayerPathKind.Directory));

    private ImageFileSystem()
    {
    }

    public static ImageFileSystem From(IEnumerable<IReadOnlyList<LayerPath>> layersBottomToTop)
    {
        var image = new ImageFileSystem();
        foreach (var layer in layersBottomToTop)
        {
            image.Apply(layer);
        }
        return image;
    }

    /// <summary>
    /// Whether <paramref name="absolutePath"/> names something in the image: a file, a directory, a hard link, or a
    /// symbolic link whether or not its target exists (links are followed in the path's directories, not at its end).
    /// </summary>
    public bool Exists(string absolutePath) => Find(absolutePath) is not null;

    /// <summary>The entry <paramref name="absolutePath"/> names (a link itself, when the path ends at one), or null.</summary>
    public LayerPath? Find(string absolutePath) => Walk(absolutePath, followLastLink: false)?.Entry;

    /// <summary>
    /// What <paramref name="absolutePath"/> leads to, following a link at its end too, as opening it would; null when
    /// nothing is there or a link on the way dangles or loops.
    /// </summary>
    public LayerPath? Resolve(string absolutePath) => Walk(absolutePath, followLastLink: true)?.Entry;

    /// <summary>The entries of the directory <paramref name="absolutePath"/> leads to, by name; empty when it is not a directory.</summary>
    public IReadOnlyList<LayerPath> ListDirectory(string absolutePath)
        => Walk(absolutePath, followLastLink: true)?.Children is { } children
            ? children.OrderBy(child => child.Key, StringComparer.Ordinal).Select(child => child.Value.Entry).ToList()
            : [];

    private void Apply(IReadOnlyList<LayerPath> layer)
    {
        // Whiteouts first: they hide what lower layers have, never what their own layer brings, wherever it is in the tar.
        foreach (var entry in layer)
        {
            var segments = Segments(entry.Path);
            if (segments.Count == 0 || !segments[^1].StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                continue;
            }
            if (NodeAt(segments.Take(segments.Count - 1))?.Children is not { } siblings)
            {
                continue;
            }
            var name = segments[^1];
            if (name == OpaqueWhiteout)
            {
                siblings.Clear();
            }
            else if (!name.StartsWith(WhiteoutPrefix + WhiteoutPrefix, StringComparison.Ordinal))
            {
                // Other ".wh..wh." names are the union file system's own bookkeeping (aufs' hard link directory), not whiteouts.
                siblings.Remove(name[WhiteoutPrefix.Length..]);
            }
        }
        foreach (var entry in layer)
        {
            var segments = Segments(entry.Path);
            if (segments.Count == 0 || segments[^1].StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                continue;
            }
            Add(segments, entry);
        }
    }

    private void Add(List<string> segments, LayerPath entry)
    {
        var directory = _root;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            var children = directory.Children!;
            if (!children.TryGetValue(segments[i], out var next) || next.Children is null)
            {
                // A directory the tar did not list (or one over a lower layer's file or link).
                next = Node.Directory(new LayerPath(string.Join('/', segments.Take(i + 1)), LayerPathKind.Directory));
                children[segments[i]] = next;
            }
            directory = next;
        }
        var name = segments[^1];
        if (entry.Kind == LayerPathKind.Directory && directory.Children!.TryGetValue(name, out var existing) && existing.Children is not null)
        {
            // A directory in two layers holds what both put there.
            directory.Children[name] = existing with { Entry = entry };
        }
        else
        {
            directory.Children![name] = entry.Kind == LayerPathKind.Directory ? Node.Directory(entry) : new Node(entry, null);
        }
    }

    /// <summary>The node at a layer path, taken literally: no links followed (whiteouts name what is in their layer's own tree).</summary>
    private Node? NodeAt(IEnumerable<string> segments)
    {
        var node = _root;
        foreach (var segment in segments)
        {
            if (node.Children is null || !node.Children.TryGetValue(segment, out var next))
            {
                return null;
            }
            node = next;
        }
        return node;
    }

    private Node? Walk(string path, bool followLastLink)
    {
        // What is left to walk, next segment on top; a link's target is pushed in front of the rest.
        var remaining = new Stack<string>();
        Push(remaining, path);
        var trail = new List<Node> { _root };
        var hops = 0;
        while (remaining.TryPop(out var segment))
        {
            if (segment == "..")
            {
                if (trail.Count > 1)
                {
                    trail.RemoveAt(trail.Count - 1);
                }
                continue;
            }
            if (trail[^1].Children is not { } children || !children.TryGetValue(segment, out var node))
            {
                return null;
            }
            var isLast = remaining.Count == 0;
            if (node.Entry.Kind == LayerPathKind.Symlink && (!isLast || followLastLink))
            {
                if (++hops > MaxLinkHops || string.IsNullOrEmpty(node.Entry.LinkTarget))
                {
                    return null;
                }
                if (node.Entry.LinkTarget.StartsWith('/'))
                {
                    trail.RemoveRange(1, trail.Count - 1);
                }
                Push(remaining, node.Entry.LinkTarget);
                continue;
            }
            if (isLast)
            {
                return node;
            }
            if (node.Children is null)
            {
                return null;
            }
            trail.Add(node);
        }
        return trail[^1];
    }

    private static void Push(Stack<string> remaining, string path)
    {
        var segments = path.Split('/');
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            if (segments[i] is not ("" or "."))
            {
                remaining.Push(segments[i]);
            }
        }
    }

    private static List<string> Segments(string layerPath) => LayerFileList.NormalizeName(layerPath) is { Length: > 0 } normalized
        ? [.. normalized.Split('/')]
        : [];

    /// <summary>An entry of the tree; a directory's children are by name (null for anything that is not a directory).</summary>
    private sealed record Node(LayerPath Entry, Dictionary<string, Node>? Children)
    {
        public static Node Directory(LayerPath entry) => new(entry, new Dictionary<string, Node>(StringComparer.Ordinal));
    }
}
