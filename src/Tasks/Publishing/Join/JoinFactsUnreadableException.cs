namespace Containers.Build.Publishing.Join;

/// <summary>A facts file given to join cannot be read, is not what a publish writes, or records no place the image can be read from.</summary>
/// <param name="path">The facts file, as given.</param>
public sealed class JoinFactsUnreadableException(string path, string reason)
    : Exception($"The facts file {path} {reason}")
{
    public string Path { get; } = path;
}
