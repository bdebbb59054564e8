using System.Text;
using System.Text.RegularExpressions;

namespace Containers.Build.References;

/// <summary>Rules for repository names (distribution-spec: path components of lowercase alphanumerics and separators).</summary>
public static partial class RepositoryName
{
    public const int MaxLength = 255;

    public static bool IsValid(string name) => name.Length <= MaxLength && Pattern().IsMatch(name);

    /// <summary>Throws when <paramref name="name"/> is not a valid repository name, saying which rule it breaks.</summary>
    public static void Validate(string name)
    {
        if (name.Length == 0)
        {
            throw new InvalidReferenceException("The repository name is empty.");
        }
        if (name.Length > MaxLength)
        {
            throw new InvalidReferenceException($"The repository name '{name}' is longer than {MaxLength} characters.");
        }
        if (!Pattern().IsMatch(name))
        {
            throw new InvalidReferenceException(
                $"'{name}' is not a valid repository name: use lowercase letters, digits and separators ('.', '_', '__', '-'), in path components separated by '/', each starting and ending with a letter or digit.");
        }
    }

    /// <summary>
    /// Turns a name derived from the project (such as its AssemblyName) into a valid repository name:
    /// lowercase, and each run of characters that may not appear becomes one '-'. Returns null when nothing
    /// usable is left or the name does not start with a letter or digit.
    /// </summary>
    public static string? TryMakeValid(string name)
    {
        var lower = name.Trim().ToLowerInvariant();
        if (lower.Length == 0 || !char.IsAsciiLetterOrDigit(lower[0]))
        {
            return null;
        }
        var components = lower.Split('/').Select(NormalizeComponent).Where(c => c.Length > 0).ToArray();
        var result = string.Join('/', components);
        if (result.Length > MaxLength)
        {
            result = result[..MaxLength].TrimEnd('-', '_', '.', '/');
        }
        return IsValid(result) ? result : null;
    }

    private static string NormalizeComponent(string component)
    {
        var builder = new StringBuilder(component.Length);
        foreach (var c in component)
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }
        return builder.ToString().Trim('-', '_');
    }

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*\z")]
    private static partial Regex Pattern();
}
