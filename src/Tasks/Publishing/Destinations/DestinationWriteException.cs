namespace Containers.Build.Publishing.Destinations;

/// <summary>A destination on this machine (a file, a folder, an engine's input) could not be written.</summary>
public sealed class DestinationWriteException(string destination, Exception inner)
    : Exception($"Could not write the image to {destination}: {inner.Message}", inner)
{
    public string Destination { get; } = destination;

    /// <summary>Runs <paramref name="write"/>, turning a file-system failure into this exception.</summary>
    public static async Task<T> Guard<T>(string destination, Func<Task<T>> write)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DestinationWriteException(destination, e);
        }
    }
}
