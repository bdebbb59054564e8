using Containers.Build.Layers;

namespace Containers.Build.Publishing.Stages;

/// <summary>
/// Stage 2: which file goes into which layer, for every platform. Pure: it reads the publish folders (names,
/// and contents where platforms are compared or a file is rewritten for the image) and writes nothing.
/// </summary>
public static class LayerPlanStage
{
    /// <param name="created">The image's time, written into the static web assets endpoints manifest instead of the checkout's.</param>
    /// <param name="extras">ContainerFile and ContainerDirectory items: one layer below the app's, the same instance for every platform.</param>
    public static LayerPlan Plan(IReadOnlyList<PlatformPublish> platforms, string workingDirectory, LayeringMode layering, DateTimeOffset created, CancellationToken cancellationToken,
        ExtraFiles? extras = null)
    {
        var extraLayer = extras is null ? null : ExtraFilesPlanner.Plan(extras);
        IReadOnlyList<IReadOnlyList<PlannedLayer>> plans = platforms.Select(p => PlanOne(p, workingDirectory, layering, created)).ToArray();
        // ContainerLayering=Single asks for one layer per image: no layers split out to share across platforms.
        if (layering != LayeringMode.Single)
        {
            plans = Read(string.Join("', '", platforms.Select(p => p.PublishDirectory)), () => CrossPlatformLayers.Share(plans, cancellationToken));
        }
        if (extraLayer is not null)
        {
            for (var i = 0; i < platforms.Count; i++)
            {
                CheckNoCollision(extraLayer, extras!, plans[i], platforms[i].PublishDirectory, workingDirectory);
            }
            plans = plans.Select(plan => (IReadOnlyList<PlannedLayer>)[extraLayer, .. plan]).ToArray();
        }
        return new LayerPlan(plans);
    }

    private static IReadOnlyList<PlannedLayer> PlanOne(PlatformPublish platform, string workingDirectory, LayeringMode layering, DateTimeOffset created)
        => Read(platform.PublishDirectory, () =>
        {
            var plan = LayerPlanner.Plan(platform.PublishDirectory, workingDirectory, platform.Classification, layering);
            return StaticWebAssetEndpoints.WithFixedTimes(plan, created);
        });

    /// <summary>An item's destination that a published file or directory also has would be replaced by the app's layers above.</summary>
    private static void CheckNoCollision(PlannedLayer extraLayer, ExtraFiles extras, IReadOnlyList<PlannedLayer> plan, string publishDirectory, string workingDirectory)
    {
        var published = plan.SelectMany(l => l.Entries).Select(e => e.ContainerPath).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in extraLayer.Entries)
        {
            if (published.Contains(entry.ContainerPath))
            {
                var item = extras.Files.FirstOrDefault(f => f.ContainerPath == entry.ContainerPath) is { } file
                    ? $"ContainerFile '{file.Item}'"
                    : $"ContainerDirectory '{extras.Directories.First(d => d.ContainerPath == entry.ContainerPath).Item}'";
                var prefix = workingDirectory.Trim('/');
                var relative = entry.ContainerPath == prefix ? "" : entry.ContainerPath.StartsWith(prefix + "/", StringComparison.Ordinal) ? entry.ContainerPath[(prefix.Length + 1)..] : entry.ContainerPath;
                throw new ExtraFileCollisionException(item, entry.ContainerPath, relative.Length == 0 ? "the app's directory" : relative, publishDirectory);
            }
        }
    }

    private static T Read<T>(string publishDirectory, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PublishOutputUnreadableException(publishDirectory, e);
        }
    }
}
