using System.Text.Json;

namespace Containers.Build.Layers;

/// <summary>
/// The .NET runtime identifier graph (the SDK's PortableRuntimeIdentifierGraph.json): which RIDs' assets a
/// platform can use. linux-x64 can use linux-x64, linux, unix-x64, unix and any assets, never linux-arm64's.
/// </summary>
public sealed class RuntimeIdentifierGraph
{
    private readonly IReadOnlyDictionary<string, string[]> _imports;

    private RuntimeIdentifierGraph(IReadOnlyDictionary<string, string[]> imports)
    {
        _imports = imports;
    }

    /// <summary>The graph from the SDK's file; a built-in portable graph when the file is missing or unreadable.</summary>
    public static RuntimeIdentifierGraph Load(string? path)
    {
        if (!string.IsNullOrEmpty(path) && File.Exists(path))
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(path));
                var imports = new Dictionary<string, string[]>(StringComparer.Ordinal);
                foreach (var runtime in document.RootElement.GetProperty("runtimes").EnumerateObject())
                {
                    imports[runtime.Name] = runtime.Value.TryGetProperty("#import", out var list)
                        ? list.EnumerateArray().Select(e => e.GetString()!).ToArray()
                        : [];
                }
                return new RuntimeIdentifierGraph(imports);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
            {
                // Fall through to the built-in graph.
            }
        }
        return Portable;
    }

    /// <summary>The portable graph's shape for Linux, enough when the SDK's file is not at hand.</summary>
    public static RuntimeIdentifierGraph Portable { get; } = new(BuildPortableLinuxGraph());

    /// <summary>Every RID whose assets run on <paramref name="rid"/>, itself included.</summary>
    public IReadOnlySet<string> CompatibleWith(string rid)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>([rid]);
        while (pending.Count > 0)
        {
            var current = pending.Dequeue();
            if (!result.Add(current))
            {
                continue;
            }
            foreach (var imported in _imports.GetValueOrDefault(current, []))
            {
                pending.Enqueue(imported);
            }
        }
        return result;
    }

    private static Dictionary<string, string[]> BuildPortableLinuxGraph()
    {
        var graph = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["base"] = [],
            ["any"] = ["base"],
            ["unix"] = ["any"],
            ["linux"] = ["unix"],
            ["linux-musl"] = ["linux"],
            ["linux-bionic"] = ["linux"],
        };
        foreach (var arch in new[] { "x64", "x86", "arm", "arm64", "armel", "s390x", "ppc64le", "riscv64", "loongarch64", "mips64" })
        {
            graph[$"unix-{arch}"] = ["unix"];
            graph[$"linux-{arch}"] = ["linux", $"unix-{arch}"];
            graph[$"linux-musl-{arch}"] = ["linux-musl", $"linux-{arch}"];
            graph[$"linux-bionic-{arch}"] = ["linux-bionic", $"linux-{arch}"];
        }
        return graph;
    }
}
