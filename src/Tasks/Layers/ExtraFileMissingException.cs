namespace Containers.Build.Layers;

/// <summary>A ContainerFile item whose source is missing, or is not a file or a link (a directory, a FIFO, a device).</summary>
public sealed class ExtraFileMissingException(string item, string sourcePath, string reason)
    : Exception($"The ContainerFile '{item}' names '{sourcePath}', which {reason}.")
{
    public string Item { get; } = item;
    public string SourcePath { get; } = sourcePath;
}
