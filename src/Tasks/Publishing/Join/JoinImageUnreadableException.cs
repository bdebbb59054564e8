namespace Containers.Build.Publishing.Join;

/// <summary>
/// An image to join was found but cannot be joined as a platform's image: a document that is not valid, a manifest that
/// is an artifact rather than an image, a config without os or architecture, a blob that does not match its digest, a
/// directory that is not an OCI layout, or a registry that answered its read with an error.
/// </summary>
/// <param name="entry">The join entry, as the user wrote it.</param>
public sealed class JoinImageUnreadableException(string entry, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Entry { get; } = entry;
}
