namespace Containers.Build.Tasks;

/// <summary>
/// Whether the build treats a warning code as an error. MSBuild tells a task for WarningsAsErrors and
/// MSBuildTreatWarningsAsErrors (IBuildEngine8), but not for `-warnaserror` on the command line, which its
/// logger applies only when the build ends — after an image would have been pushed. That switch is read from
/// the command line of the process the task runs in.
/// </summary>
internal static class WarningsAsErrors
{
    public static bool FromCommandLine(string code) => FromArguments(Environment.GetCommandLineArgs(), code);

    internal static bool FromArguments(IEnumerable<string> arguments, string code)
    {
        foreach (var argument in arguments)
        {
            var text = argument.TrimStart('-', '/');
            if (text.Length == argument.Length)
            {
                continue;
            }
            var colon = text.IndexOf(':');
            var name = colon < 0 ? text : text[..colon];
            if (!name.Equals("warnaserror", StringComparison.OrdinalIgnoreCase) && !name.Equals("err", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (colon < 0)
            {
                return true;
            }
            var codes = text[(colon + 1)..].Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (codes.Length == 0 || codes.Contains(code, StringComparer.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
