namespace Containers.Build.References;

/// <summary>An image reference, repository, tag or registry that cannot be used as given.</summary>
public sealed class InvalidReferenceException(string message) : Exception(message);
