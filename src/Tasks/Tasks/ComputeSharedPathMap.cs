using System.Text;
using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace Containers.Build.Tasks;

/// <summary>
/// Puts a mapping of <see cref="From"/> (a platform build's obj/.../&lt;rid&gt;/ folder) in front of the
/// compiler's PathMap, so that paths under it are written as they would be under <see cref="To"/> (the folder
/// without the runtime identifier): each platform's build then writes the same assembly and pdb. <see cref="To"/>
/// is itself mapped through the existing PathMap (ContinuousIntegrationBuild's /_/), since the compiler uses
/// only the first mapping that matches a path. PathMap's escaping is kept: ',' and '=' inside a path are doubled.
/// </summary>
public sealed class ComputeSharedPathMap : MSBuildTask
{
    public string? PathMap { get; set; }

    [Required]
    public string From { get; set; } = "";

    [Required]
    public string To { get; set; } = "";

    [Output]
    public string Result { get; private set; } = "";

    public override bool Execute()
    {
        var existing = PathMap ?? "";
        var mapped = To;
        foreach (var (key, value) in Parse(existing))
        {
            if (key.Length > 0 && To.StartsWith(key, StringComparison.Ordinal))
            {
                mapped = value + To[key.Length..];
                break;
            }
        }
        var first = $"{Escape(From)}={Escape(mapped)}";
        Result = existing.Trim().Length == 0 ? first : $"{first},{existing}";
        return true;
    }

    /// <summary>The entries of a PathMap value, unescaped, in order.</summary>
    internal static IReadOnlyList<(string Key, string Value)> Parse(string pathMap)
    {
        var entries = new List<(string, string)>();
        var current = new StringBuilder();
        string? key = null;
        void EndEntry()
        {
            if (key is not null)
            {
                entries.Add((key.Trim(), current.ToString().Trim()));
            }
            key = null;
            current.Clear();
        }
        for (var i = 0; i < pathMap.Length; i++)
        {
            var c = pathMap[i];
            var doubled = i + 1 < pathMap.Length && pathMap[i + 1] == c;
            if (c is ',' or '=' && doubled)
            {
                current.Append(c);
                i++;
            }
            else if (c == ',')
            {
                EndEntry();
            }
            else if (c == '=' && key is null)
            {
                key = current.ToString();
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }
        EndEntry();
        return entries;
    }

    private static string Escape(string path) => path.Replace(",", ",,", StringComparison.Ordinal).Replace("=", "==", StringComparison.Ordinal);
}
