namespace Containers.Build.Layers;

/// <summary>A published file whose name starts with ".wh.": in a layer it would read as a deletion (OCI whiteout).</summary>
public sealed class WhiteoutNameException(string relativePath)
    : Exception($"The published file '{relativePath}' has a name starting with '.wh.', which in an image layer means \"delete this file\" (an OCI whiteout). Rename it or leave it out of the publish output.")
{
    public string RelativePath { get; } = relativePath;
}
