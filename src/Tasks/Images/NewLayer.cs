using Containers.Build.Layers;
using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>A layer this build adds, with the history text that says what it holds.</summary>
/// <param name="Key">The key of its inputs, recorded in its history entry (<see cref="LayerKeyHistory"/>) for a later publish to find it by; null records none.</param>
/// <param name="Bytes">Where its bytes are when they are not a blob of the content store (a layer the registry already holds); null for the store's.</param>
public sealed record NewLayer(Layer Layer, string Comment, Digest? Key = null, ImageLayer? Bytes = null);
