using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace Containers.Build.Tasks;

/// <summary>
/// Puts a mapping of <see cref="From"/> (a platform build's obj/.../&lt;rid&gt;/ folder) in front of the
/// compiler's PathMap, so that paths under it are written as they would be under <see cref="To"/> (the folder
/// without the runtime identifier): each platform's build then writes the same assembly and pdb. <see cref="To"/>
/// is itself mapped through the existing PathMap (ContinuousIntegrationBuild's /_/), since the compiler uses
/// only the first mapping that matches a path.
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
        var existing = (PathMap ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var mapped = To;
        foreach (var entry in existing)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && To.StartsWith(entry[..equals], StringComparison.Ordinal))
            {
                mapped = entry[(equals + 1)..] + To[equals..];
                break;
            }
        }
        Result = string.Join(",", existing.Prepend($"{From}={mapped}"));
        return true;
    }
}
