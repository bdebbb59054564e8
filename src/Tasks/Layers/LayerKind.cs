namespace Containers.Build.Layers;

/// <summary>
/// What a layer holds, in stacking order: what changes least goes lowest, so a code change touches only
/// the top layer and every layer below keeps its digest.
/// </summary>
public enum LayerKind
{
    /// <summary>ContainerFile and ContainerDirectory items: configuration, certificates, writable directories. Lowest: they change least.</summary>
    ExtraFiles,

    /// <summary>Runtime and native files from NuGet package references.</summary>
    Packages,

    /// <summary>Assemblies of referenced projects.</summary>
    ProjectReferences,

    /// <summary>Static web assets (wwwroot and those from libraries).</summary>
    StaticWebAssets,

    /// <summary>The app's own files, and everything not classified otherwise.</summary>
    Application,
}

public static class LayerKindExtensions
{
    public static string Describe(this LayerKind kind) => kind switch
    {
        LayerKind.ExtraFiles => "ContainerFile and ContainerDirectory items",
        LayerKind.Packages => "NuGet package assets",
        LayerKind.ProjectReferences => "project reference assemblies",
        LayerKind.StaticWebAssets => "static web assets",
        _ => "the application",
    };
}
