using Containers.Build.Layers;
using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>A layer of a built image and where its bytes come from: the base image's repository, or a local blob.</summary>
public sealed record ImageLayer(Descriptor Descriptor, string? BaseRepository, Layer? Local)
{
    public static ImageLayer FromBase(Descriptor descriptor, string repository) => new(descriptor, repository, null);

    public static ImageLayer FromLocal(Layer layer, Descriptor descriptor) => new(descriptor, null, layer);

    public bool IsFromBase => BaseRepository is not null;
}
