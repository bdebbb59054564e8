using Containers.Build.Layers;

namespace Containers.Build.Publishing;

/// <summary>What the layer stage did, as the summary lines tell it.</summary>
/// <param name="NewLayers">Every distinct layer this publish added, over all platforms.</param>
/// <param name="FilesLeftOut">Published files for other platforms that no image carries.</param>
public sealed record LayerReport(IReadOnlyList<CachedLayer> NewLayers, int FilesLeftOut)
{
    public int FromCache => NewLayers.Count(l => l.FromCache);

    /// <summary>The layers the destination registry already held under their input keys: neither written nor uploaded.</summary>
    public int FoundByKey => NewLayers.Count(l => l.FoundByKey);

    /// <summary>"2 of 2 app layers found in the registry by input key; " when any was; else nothing.</summary>
    public string FoundByKeySummary => FoundByKey > 0 ? $"{FoundByKey} of {NewLayers.Count} app layers found in the registry by input key; " : "";

    /// <summary>"2 of 4 app layers reused from the cache; 3 published files for other platforms left out".</summary>
    public string Summary
        => $"{FoundByKeySummary}{FromCache} of {NewLayers.Count} app layers reused from the cache"
           + (FilesLeftOut > 0 ? $"; {FilesLeftOut} published files for other platforms left out" : "");
}
