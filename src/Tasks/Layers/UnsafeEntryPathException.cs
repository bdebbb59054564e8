namespace Containers.Build.Layers;

/// <summary>A layer entry whose name would land outside the image's root or be read differently by different tools ('..', '.', an absolute name).</summary>
public sealed class UnsafeEntryPathException(string path)
    : Exception($"The image path '{path}' has a '..' or '.' segment or is absolute; a layer entry must stay under the image's root.")
{
    public string Path { get; } = path;
}
