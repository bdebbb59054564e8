using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>A ContainerLayer item's Digest names no layer of its image (for one of the platforms built).</summary>
public sealed class ImportedLayerNotFoundException(LayerImport import, Platform platform, IReadOnlyList<Digest> layers)
    : Exception($"ContainerLayer '{import.Item}' asks for the layer {import.Digest}, which its {platform} image does not have; its layers are {string.Join(", ", layers)}.")
{
    public LayerImport Import { get; } = import;
}
