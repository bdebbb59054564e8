namespace Containers.Build.Layers;

/// <summary>A layer to build: what it holds and its entries, in the order they go into the tar.</summary>
public sealed record PlannedLayer(LayerKind Kind, IReadOnlyList<LayerEntry> Entries)
{
    public int FileCount => Entries.Count(e => e.Kind != LayerEntryKind.Directory);

    public string Comment(string containerDirectory)
        => $"Containers.Build: {Kind.Describe()} ({FileCount} files under {containerDirectory})";
}
