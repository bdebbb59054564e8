namespace Containers.Build.Layers;

/// <summary>
/// A published file's name is not valid UTF-8 (Linux file names are bytes): .NET shows the bytes it cannot decode as
/// U+FFFD, and under that name the file cannot be opened, nor written into a layer, whose names are UTF-8.
/// </summary>
public sealed class FileNameNotUtf8Exception(string relativePath)
    : Exception($"The published path '{relativePath}' has a name that is not valid UTF-8 (the bytes that are not are shown as '\uFFFD'): it cannot be read under that name, and a layer's names are UTF-8.")
{
    public string RelativePath { get; } = relativePath;
}
