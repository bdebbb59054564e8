namespace Containers.Build.Publishing.Stages;

/// <summary>Layers could not be written into the content store (disk full, permissions), or their files read.</summary>
public sealed class LayerWriteException(IReadOnlyList<string> publishDirectories, string contentStore, Exception inner)
    : Exception($"Could not write the layers from '{string.Join("', '", publishDirectories)}' into '{contentStore}': {inner.Message}", inner)
{
    public string ContentStore { get; } = contentStore;
}
