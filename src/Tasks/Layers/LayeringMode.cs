namespace Containers.Build.Layers;

/// <summary>How publish output is split into layers (ContainerLayering).</summary>
public enum LayeringMode
{
    /// <summary>One layer per <see cref="LayerKind"/>, ordered by how often it changes (the default).</summary>
    ByChangeFrequency,

    /// <summary>Everything in one layer, as the .NET SDK does.</summary>
    Single,
}
