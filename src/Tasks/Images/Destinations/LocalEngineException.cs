namespace Containers.Build.Images.Destinations;

/// <summary>A local container engine was asked for and cannot take the image.</summary>
public sealed class LocalEngineException(string message) : Exception(message);
