namespace Containers.Build.Model;

/// <summary>A manifest, index or config that does not parse as the spec says it must.</summary>
public sealed class InvalidContentException(string message) : Exception(message);
