namespace Containers.Build.Publishing.Stages;

/// <summary>A publish folder (or a file in it) could not be read while the layers were planned.</summary>
public sealed class PublishOutputUnreadableException(string publishDirectory, Exception inner)
    : Exception($"Could not read the publish output in '{publishDirectory}': {inner.Message}", inner)
{
    public string PublishDirectory { get; } = publishDirectory;
}
