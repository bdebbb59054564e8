namespace Containers.Build.Publishing.Join;

/// <summary>
/// An image to join is not where it was named: the registry has no such manifest, the OCI layout does not exist or has
/// no such tag or blob, or does not say which of its images is meant.
/// </summary>
/// <param name="entry">The join entry, as the user wrote it.</param>
public sealed class JoinImageNotFoundException(string entry, string message) : Exception(message)
{
    public string Entry { get; } = entry;
}
