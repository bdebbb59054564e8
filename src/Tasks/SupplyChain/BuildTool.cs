using System.Reflection;

namespace Containers.Build.SupplyChain;

/// <summary>The tool that writes the documents, as SBOMs and provenance name it.</summary>
public static class BuildTool
{
    public const string Name = "Containers.Build";

    /// <summary>
    /// This assembly's informational version without the '+commit' suffix the SDK appends: a document names the
    /// release that wrote it, and a rebuild of the same release from another commit writes the same bytes.
    /// </summary>
    public static string Version { get; } = WithoutBuildMetadata(
        typeof(BuildTool).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(BuildTool).Assembly.GetName().Version?.ToString()
        ?? "0.0.0");

    internal static string WithoutBuildMetadata(string version)
    {
        var plus = version.IndexOf('+');
        return plus < 0 ? version : version[..plus];
    }
}
