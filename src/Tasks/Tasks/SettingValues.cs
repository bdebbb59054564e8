using Microsoft.Build.Framework;

namespace Containers.Build.Tasks;

/// <summary>
/// The project's settings as the targets give them: one item per setting, named by the setting, its value in the
/// Value metadata (Containers.Build.Settings.targets lists which property each is read from). A setting listed more
/// than once takes its first value that is not empty, so a list can name a property and its fallback
/// (PrivateRepositoryUrl, then RepositoryUrl).
/// </summary>
public sealed class SettingValues
{
    public const string ValueMetadata = "Value";

    private readonly Dictionary<string, (string Value, string Escaped)> _values = new(StringComparer.OrdinalIgnoreCase);

    public SettingValues(IEnumerable<ITaskItem> items)
    {
        foreach (var item in items)
        {
            var value = item.GetMetadata(ValueMetadata);
            if (!string.IsNullOrEmpty(value) && !_values.ContainsKey(item.ItemSpec))
            {
                var escaped = item is ITaskItem2 escapable ? escapable.GetMetadataValueEscaped(ValueMetadata) : value;
                _values[item.ItemSpec] = (value, escaped);
            }
        }
    }

    /// <summary>The setting's value, empty when it is not given.</summary>
    public string this[string name] => _values.TryGetValue(name, out var value) ? value.Value : "";

    /// <summary>The value as MSBuild holds it (%3B for a ';' the user escaped), for the lists a property gives.</summary>
    public string Escaped(string name) => _values.TryGetValue(name, out var value) ? value.Escaped : "";

    /// <summary>A switch as MSBuild's <c>'$(X)' == 'true'</c> reads it: "true" in any case, nothing around it.</summary>
    public bool IsTrue(string name) => string.Equals(this[name], "true", StringComparison.OrdinalIgnoreCase);
}
