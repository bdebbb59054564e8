namespace Containers.Build.Images.Destinations;

/// <summary>What one target received: the names the image has there, a file path when it is a file, and one line for the user.</summary>
public sealed record DestinationResult(ImageTarget Target, IReadOnlyList<string> Names, string? Path, string Summary);
