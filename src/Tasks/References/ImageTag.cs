using System.Text.RegularExpressions;

namespace Containers.Build.References;

/// <summary>Rules for tags (distribution-spec: <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>).</summary>
public static partial class ImageTag
{
    public static bool IsValid(string tag) => Pattern().IsMatch(tag);

    public static void Validate(string tag)
    {
        if (!IsValid(tag))
        {
            throw new InvalidReferenceException(
                $"'{tag}' is not a valid tag: a tag is 1 to 128 characters, letters, digits, '_', '.' and '-', and does not start with '.' or '-'.");
        }
    }

    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}\z")]
    private static partial Regex Pattern();
}
