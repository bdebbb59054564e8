namespace Containers.Build.SupplyChain;

/// <summary>What a component of the image is to the image; the order is the documents' order.</summary>
internal enum ComponentRole
{
    /// <summary>The image the document describes.</summary>
    Image,

    /// <summary>The published app.</summary>
    Application,

    /// <summary>A NuGet package the app runs with.</summary>
    Package,

    /// <summary>A project the app references, shipped as its own assembly.</summary>
    ProjectReference,

    /// <summary>The .NET runtime: a self-contained app's runtime pack, or a shared framework of the base image.</summary>
    Runtime,

    /// <summary>The image this one is built on.</summary>
    BaseImage,
}
