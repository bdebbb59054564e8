namespace Containers.Build.Images;

/// <summary>Where a layer of the image comes from.</summary>
public enum LayerOrigin
{
    /// <summary>The base image's.</summary>
    Base,
    /// <summary>Another image's, asked for by a ContainerLayer item.</summary>
    Imported,
    /// <summary>Written by this build (the app, its ContainerFile items).</summary>
    App,
}
