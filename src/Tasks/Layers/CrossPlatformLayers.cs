namespace Containers.Build.Layers;

/// <summary>
/// Splits the layer plans of a multi-platform image so that what the platforms have in common is built once:
/// for each kind of layer, the files that are byte for byte the same in every platform's publish output (the
/// app's IL for a framework-dependent app, package assemblies, static web assets) form one shared layer, used
/// by every platform's image; the files that differ (the native host, deps.json, native libraries, a
/// self-contained runtime) go into a platform-specific layer on top of it.
/// </summary>
public static class CrossPlatformLayers
{
    /// <param name="plans">One plan per platform, from <see cref="LayerPlanner.Plan"/>.</param>
    /// <returns>One plan per platform, in the same order; shared layers are the same <see cref="PlannedLayer"/> instance in every plan.</returns>
    public static IReadOnlyList<IReadOnlyList<PlannedLayer>> Share(IReadOnlyList<IReadOnlyList<PlannedLayer>> plans, CancellationToken cancellationToken = default)
    {
        if (plans.Count < 2)
        {
            return plans;
        }
        var result = plans.Select(_ => new List<PlannedLayer>()).ToArray();
        var kinds = plans.SelectMany(p => p.Select(l => l.Kind)).Distinct().Order();
        foreach (var kind in kinds)
        {
            var layers = plans.Select(p => p.FirstOrDefault(l => l.Kind == kind)).ToArray();
            var contents = layers.Select(l => l is null ? null : Contents(l)).ToArray();

            var shared = new List<LayerEntry>();
            if (contents.All(c => c is not null))
            {
                foreach (var (path, entry) in contents[0]!)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (contents.Skip(1).All(other => other!.TryGetValue(path, out var candidate) && AreSame(entry, candidate)))
                    {
                        shared.Add(entry);
                    }
                }
            }
            var sharedPaths = shared.Select(e => e.ContainerPath).ToHashSet(StringComparer.Ordinal);
            var sharedLayer = shared.Count > 0 ? new PlannedLayer(kind, LayerPlanner.WithParents(shared)) : null;
            // A layer of directories only (an empty publish folder still gets the app's directory) is the same everywhere.
            if (sharedLayer is null && contents.All(c => c is { Count: 0 }))
            {
                sharedLayer = layers[0];
            }

            for (var i = 0; i < plans.Count; i++)
            {
                if (sharedLayer is not null)
                {
                    result[i].Add(sharedLayer);
                }
                var own = contents[i]?.Values.Where(e => !sharedPaths.Contains(e.ContainerPath)).ToArray() ?? [];
                if (own.Length > 0)
                {
                    result[i].Add(new PlannedLayer(kind, LayerPlanner.WithParents(own), IsPlatformSpecific: true));
                }
            }
        }
        return result;
    }

    /// <summary>A layer's files, links and empty directories: its other directories are only parents, which WithParents makes again.</summary>
    private static Dictionary<string, LayerEntry> Contents(PlannedLayer layer)
    {
        var parents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in layer.Entries)
        {
            var slash = entry.ContainerPath.LastIndexOf('/');
            if (slash > 0)
            {
                parents.Add(entry.ContainerPath[..slash]);
            }
        }
        return layer.Entries
            .Where(e => e.Kind != LayerEntryKind.Directory || !parents.Contains(e.ContainerPath))
            .ToDictionary(e => e.ContainerPath, StringComparer.Ordinal);
    }

    private static bool AreSame(LayerEntry a, LayerEntry b)
        => a.Kind == b.Kind
           && a.Mode == b.Mode
           && string.Equals(a.LinkTarget, b.LinkTarget, StringComparison.Ordinal)
           && (a.Kind != LayerEntryKind.File || FileContent.AreEqual(a, b));
}
