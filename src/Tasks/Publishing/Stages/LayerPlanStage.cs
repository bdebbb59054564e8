using Containers.Build.Layers;

namespace Containers.Build.Publishing.Stages;

/// <summary>
/// Stage 2: which file goes into which layer, for every platform. Pure: it reads the publish folders (names,
/// and contents where platforms are compared or a file is rewritten for the image) and writes nothing.
/// </summary>
public static class LayerPlanStage
{
    /// <param name="created">The image's time, written into the static web assets endpoints manifest instead of the checkout's.</param>
    public static LayerPlan Plan(IReadOnlyList<PlatformPublish> platforms, string workingDirectory, LayeringMode layering, DateTimeOffset created, CancellationToken cancellationToken)
    {
        IReadOnlyList<IReadOnlyList<PlannedLayer>> plans = platforms.Select(p => PlanOne(p, workingDirectory, layering, created)).ToArray();
        // ContainerLayering=Single asks for one layer per image: no layers split out to share across platforms.
        if (layering != LayeringMode.Single)
        {
            plans = Read(string.Join("', '", platforms.Select(p => p.PublishDirectory)), () => CrossPlatformLayers.Share(plans, cancellationToken));
        }
        var secrets = plans.SelectMany(SecretFileDetector.Find).Distinct(StringComparer.Ordinal).ToArray();
        return new LayerPlan(plans, secrets);
    }

    private static IReadOnlyList<PlannedLayer> PlanOne(PlatformPublish platform, string workingDirectory, LayeringMode layering, DateTimeOffset created)
        => Read(platform.PublishDirectory, () =>
        {
            var plan = LayerPlanner.Plan(platform.PublishDirectory, workingDirectory, platform.Classification, layering);
            return StaticWebAssetEndpoints.WithFixedTimes(plan, created);
        });

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
