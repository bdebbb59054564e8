namespace Containers.Build.Layers;

/// <summary>
/// A ContainerFile or ContainerDirectory destination that is also a published file or directory: the app's layers
/// above would replace it, mode and owner included.
/// </summary>
public sealed class ExtraFileCollisionException(string item, string destination, string publishedPath, string publishDirectory)
    : Exception($"The {item} goes to '/{destination}', which the publish output also has: '{publishedPath}' in '{publishDirectory}'. "
        + "The app's layers are above it and would replace it.")
{
    public string Item { get; } = item;
    public string Destination { get; } = destination;
    public string PublishedPath { get; } = publishedPath;
}
