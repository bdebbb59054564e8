namespace Containers.Build.Tasks;

/// <summary>MSBuild's escaping (%XX for its special characters), for values a task hands back as items' Include.</summary>
public static class MSBuildEscaping
{
    /// <summary>One item per value, each read back as the value itself.</summary>
    public static Microsoft.Build.Framework.ITaskItem[] AsItems(IEnumerable<string> values)
        => values.Select(value => (Microsoft.Build.Framework.ITaskItem)new Microsoft.Build.Utilities.TaskItem(Escape(value))).ToArray();

    /// <summary>The value as MSBuild writes it escaped, so that an item made of it reads back as the value itself (a ';' no separator, a '*' no wildcard).</summary>
    public static string Escape(string value)
    {
        var escaped = new System.Text.StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '%' or ';' or '*' or '?' or '@' or '$' or '(' or ')' or '\'')
            {
                escaped.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }
        return escaped.ToString();
    }
}
