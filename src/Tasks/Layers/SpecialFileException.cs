namespace Containers.Build.Layers;

/// <summary>The publish output holds something that is not a file, a directory or a link (a FIFO, a socket, a device): a layer cannot hold it, and reading it could hang.</summary>
public sealed class SpecialFileException(string relativePath, string kind)
    : Exception($"The published path '{relativePath}' is {kind}, not a file: an image layer cannot hold it, and reading it could wait forever.")
{
    public string RelativePath { get; } = relativePath;
}
