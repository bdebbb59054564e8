using Containers.Build.Layers;

namespace Containers.Build.Images;

/// <summary>A layer this build adds, with the history text that says what it holds.</summary>
public sealed record NewLayer(Layer Layer, string Comment);
