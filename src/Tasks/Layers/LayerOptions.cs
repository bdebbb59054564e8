using System.IO.Compression;

namespace Containers.Build.Layers;

/// <summary>
/// Everything besides the entries that decides a layer's bytes: its media type, the fixed modification
/// time and owner of every entry, and the compression level.
/// </summary>
public sealed record LayerOptions(string MediaType, DateTimeOffset ModificationTime)
{
    /// <summary>Owner of every entry; 0:0 (root) unless the app must write next to itself.</summary>
    public int UserId { get; init; }
    public int GroupId { get; init; }
    public CompressionLevel CompressionLevel { get; init; } = CompressionLevel.Fastest;
}
