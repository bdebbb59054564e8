using Containers.Build.Layers;
using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>A layer this build made (or took from its cache): its bytes are a blob in the content store.</summary>
public sealed record LocalLayer(Descriptor Descriptor, Layer Layer) : ImageLayer(Descriptor)
{
    public override LayerOrigin Origin => LayerOrigin.App;

    public override Task<string> GetFileAsync(CancellationToken cancellationToken)
        => Task.FromResult(Layer.BlobPath ?? throw new InvalidOperationException($"The layer {Descriptor.Digest} was never written to the content store."));
}
