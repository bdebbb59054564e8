using System.Text.Json.Nodes;

namespace Containers.Build.SupplyChain;

/// <summary>
/// The frameworks an app's <c>&lt;App&gt;.runtimeconfig.json</c> names. <see cref="Frameworks"/> are the shared frameworks
/// a framework-dependent app asks the host for (<c>runtimeOptions.framework</c> or <c>frameworks[]</c>), each with the
/// lowest version it accepts; <see cref="IncludedFrameworks"/> are those a self-contained app carries, at their exact version.
/// </summary>
internal sealed record RuntimeConfig(IReadOnlyList<RuntimeFramework> Frameworks, IReadOnlyList<RuntimeFramework> IncludedFrameworks)
{
    /// <summary>The configuration at <paramref name="path"/>; null when there is none.</summary>
    /// <exception cref="SbomSourceException">The file exists but is not a runtimeconfig.json.</exception>
    public static RuntimeConfig? Read(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return null;
        }
        var options = SourceJson.ReadObject(path)["runtimeOptions"] as JsonObject
            ?? throw new SbomSourceException(path, "the runtime configuration has no \"runtimeOptions\" object.");
        var frameworks = FrameworksIn(options["frameworks"], path).ToList();
        if (options["framework"] is { } single)
        {
            frameworks.Add(Framework(single, path));
        }
        return new RuntimeConfig(Sorted(frameworks), Sorted(FrameworksIn(options["includedFrameworks"], path)));
    }

    private static IEnumerable<RuntimeFramework> FrameworksIn(JsonNode? list, string path) => list switch
    {
        null => [],
        JsonArray array => array.Select(item => Framework(item, path)),
        _ => throw new SbomSourceException(path, "a framework list of the runtime configuration is not an array."),
    };

    private static RuntimeFramework Framework(JsonNode? node, string path)
        => node is JsonObject framework
           && SourceJson.StringOf(framework["name"]) is { Length: > 0 } name
           && SourceJson.StringOf(framework["version"]) is { Length: > 0 } version
            ? new RuntimeFramework(name, version)
            : throw new SbomSourceException(path, "a framework of the runtime configuration has no name or version.");

    private static IReadOnlyList<RuntimeFramework> Sorted(IEnumerable<RuntimeFramework> frameworks)
        => frameworks
            .DistinctBy(f => f.Name, StringComparer.OrdinalIgnoreCase)
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
}
