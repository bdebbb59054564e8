using System.Text.Json.Nodes;

namespace Containers.Build.SupplyChain;

/// <summary>
/// The libraries an app's <c>&lt;App&gt;.deps.json</c> says it runs with: those of the runtime target that
/// <c>runtimeTarget.name</c> names (<c>.NETCoreApp,Version=v10.0</c>, or <c>.../linux-x64</c> for a RID-specific publish),
/// each with its type and hash from <c>libraries</c> and its dependencies from the target, in the file's order (the SDK writes the app first).
/// </summary>
internal sealed record DependencyManifest(IReadOnlyList<DependencyLibrary> Libraries)
{
    private const string Sha512Prefix = "sha512-";

    /// <summary>The manifest at <paramref name="path"/>; null when there is none (an app that is not .NET, or no deps file).</summary>
    /// <exception cref="SbomSourceException">The file exists but is not a deps.json.</exception>
    public static DependencyManifest? Read(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return null;
        }
        var root = SourceJson.ReadObject(path);
        var targets = root["targets"] as JsonObject
            ?? throw new SbomSourceException(path, "the dependency manifest has no \"targets\" object.");
        var libraries = root["libraries"] as JsonObject
            ?? throw new SbomSourceException(path, "the dependency manifest has no \"libraries\" object.");
        var target = RuntimeTarget(root, targets, path);

        var result = new List<DependencyLibrary>();
        foreach (var (key, entry) in target)
        {
            var id = ParseId(key, path);
            if (libraries[key] is not JsonObject library || TypeOf(library) is not { } type)
            {
                continue;
            }
            var sha512 = type == DependencyLibraryType.Package ? Sha512Hex(library["sha512"]) : null;
            result.Add(new DependencyLibrary(id, type, sha512, DependenciesOf(entry, path)));
        }
        return new DependencyManifest(result);
    }

    /// <summary>
    /// The target <c>runtimeTarget.name</c> names; without that name (hand-written files), the only target with
    /// entries. The SDK also writes the RID-less target of a RID-specific publish, empty: it is not the runtime's.
    /// </summary>
    private static JsonObject RuntimeTarget(JsonObject root, JsonObject targets, string path)
    {
        var name = SourceJson.StringOf((root["runtimeTarget"] as JsonObject)?["name"]);
        if (name is not null)
        {
            return targets[name] as JsonObject
                ?? throw new SbomSourceException(path, $"the runtime target \"{name}\" is not among the dependency manifest's targets.");
        }
        var withEntries = targets.Select(t => t.Value).OfType<JsonObject>().Where(t => t.Count > 0).ToList();
        return withEntries.Count switch
        {
            0 => new JsonObject(),
            1 => withEntries[0],
            _ => throw new SbomSourceException(path, "the dependency manifest names no runtimeTarget and has several targets."),
        };
    }

    private static DependencyLibraryType? TypeOf(JsonObject library)
        => SourceJson.StringOf(library["type"]) switch
        {
            "package" => DependencyLibraryType.Package,
            "project" => DependencyLibraryType.Project,
            "runtimepack" => DependencyLibraryType.RuntimePack,
            _ => null,
        };

    private static IReadOnlyList<LibraryId> DependenciesOf(JsonNode? entry, string path)
    {
        if ((entry as JsonObject)?["dependencies"] is not JsonObject dependencies)
        {
            return [];
        }
        var ids = dependencies
            .Select(d => SourceJson.StringOf(d.Value) is { } version
                ? new LibraryId(d.Key, version)
                : throw new SbomSourceException(path, $"the version of dependency \"{d.Key}\" is not a string."))
            .ToList();
        ids.Sort();
        return ids;
    }

    private static LibraryId ParseId(string key, string path)
    {
        var slash = key.LastIndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new SbomSourceException(path, $"\"{key}\" is not a library name and version (Name/Version).");
        }
        return new LibraryId(key[..slash], key[(slash + 1)..]);
    }

    /// <summary>deps.json's <c>sha512-&lt;base64&gt;</c> as SPDX and CycloneDX want it: 128 lowercase hex digits; null when absent or malformed.</summary>
    internal static string? Sha512Hex(JsonNode? value)
    {
        var text = SourceJson.StringOf(value);
        if (text is null || !text.StartsWith(Sha512Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var bytes = new byte[64];
        return Convert.TryFromBase64String(text[Sha512Prefix.Length..], bytes, out var written) && written == 64
            ? Convert.ToHexStringLower(bytes)
            : null;
    }
}
