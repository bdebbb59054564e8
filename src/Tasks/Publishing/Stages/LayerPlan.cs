using Containers.Build.Layers;

namespace Containers.Build.Publishing.Stages;

/// <summary>
/// Which layers each platform's image gets, in order. A layer the platforms share is the same
/// <see cref="PlannedLayer"/> instance in every platform's list, so it is written once.
/// </summary>
/// <param name="ByPlatform">One list per platform, in the request's platform order.</param>
public sealed record LayerPlan(IReadOnlyList<IReadOnlyList<PlannedLayer>> ByPlatform)
{
    /// <summary>Every layer to write, each once (by reference: two platform layers with equal entries are still two).</summary>
    public IReadOnlyList<PlannedLayer> Distinct { get; } = ByPlatform.SelectMany(p => p).Distinct(ReferenceEqualityComparer.Instance).Cast<PlannedLayer>().ToArray();
}
