namespace Containers.Build.Layers;

/// <summary>
/// A layer to build: what it holds and its entries, in the order they go into the tar. A platform-specific
/// layer holds the files of its kind that differ between the platforms of a multi-platform image (the native
/// host, deps.json); the files they share are in the layer of the same kind below it, built once.
/// </summary>
public sealed record PlannedLayer(LayerKind Kind, IReadOnlyList<LayerEntry> Entries, bool IsPlatformSpecific = false)
{
    public int FileCount => Entries.Count(e => e.Kind != LayerEntryKind.Directory);

    public string Comment(string containerDirectory)
        => Kind == LayerKind.ExtraFiles
            ? $"Containers.Build: {Kind.Describe()} ({FileCount} files, {Entries.Count - FileCount} director{(Entries.Count - FileCount == 1 ? "y" : "ies")})"
            : $"Containers.Build: {Kind.Describe()}{(IsPlatformSpecific ? " for this platform only" : "")} ({FileCount} files under {containerDirectory})";
}
