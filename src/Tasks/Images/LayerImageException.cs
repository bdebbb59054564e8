namespace Containers.Build.Images;

/// <summary>
/// The image a ContainerLayer item names could not be read; <see cref="Exception.InnerException"/> is why, as it
/// would be for a base image (the task gives it the same code, said of the item).
/// </summary>
public sealed class LayerImageException(LayerImport import, Exception inner)
    : Exception($"The image of ContainerLayer '{import.Item}' cannot be used: {inner.Message}", inner)
{
    public LayerImport Import { get; } = import;
}
