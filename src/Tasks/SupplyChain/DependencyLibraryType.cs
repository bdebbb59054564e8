namespace Containers.Build.SupplyChain;

/// <summary>The deps.json library types an SBOM names (others, such as <c>reference</c>, are left out).</summary>
internal enum DependencyLibraryType
{
    /// <summary>A NuGet package (<c>"type": "package"</c>).</summary>
    Package,

    /// <summary>The app itself or a project it references (<c>"type": "project"</c>).</summary>
    Project,

    /// <summary>A runtime pack a self-contained app carries (<c>"type": "runtimepack"</c>): the runtime it runs on.</summary>
    RuntimePack,
}
