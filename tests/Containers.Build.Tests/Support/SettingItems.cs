using Containers.Build.Tasks;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Containers.Build.Tests.Support;

/// <summary>
/// Settings as the targets give them to the tasks: one item per setting, its value in Value (Containers.Build.Settings.targets).
/// A value is taken as MSBuild holds it, escaped (%3B for a ';' that is part of a value).
/// </summary>
public sealed class SettingItems
{
    private readonly List<(string Name, string Value)> _settings = [];

    public SettingItems Set(string name, string value)
    {
        _settings.RemoveAll(s => s.Name == name);
        _settings.Add((name, value));
        return this;
    }

    public ITaskItem[] ToItems() => _settings
        .Select(s => (ITaskItem)new TaskItem(s.Name, new Dictionary<string, string> { [SettingValues.ValueMetadata] = s.Value }))
        .ToArray();
}
