using System.IO.Compression;

namespace Containers.Build.Layers;

/// <summary>
/// Everything besides the entries that decides a layer's bytes: the fixed modification time and owner of every
/// entry, the compression and its level (which give the media type).
/// </summary>
public sealed record LayerOptions(DateTimeOffset ModificationTime)
{
    /// <summary>Owner of every entry; 0:0 (root) unless the app must write next to itself.</summary>
    public int UserId { get; init; }
    public int GroupId { get; init; }
    public CompressionLevel CompressionLevel { get; init; } = DefaultCompressionLevel;

    /// <summary>gzip (the default) or zstd: ContainerLayerCompression.</summary>
    public LayerCompression Compression { get; init; } = LayerCompression.Gzip;

    /// <summary>The layer's OCI media type, which follows from its compression.</summary>
    public string MediaType => Compression.MediaType();

    /// <summary>
    /// For gzip, zlib's level 6, the .NET SDK's own: a layer no bigger than the SDK's gzip of the same bytes (Fastest was a
    /// quarter bigger), for about 3.5 times Fastest's work, spread over every core. SmallestSize saves another 2–4%
    /// for 2–3 times more work again, on every cold publish: worth it only where pulls are many and slow.
    /// For zstd, the level <see cref="ZstdLayerStream.LevelOf"/> maps it to.
    /// </summary>
    public const CompressionLevel DefaultCompressionLevel = CompressionLevel.Optimal;

    /// <summary>The image's user as uid and gid, for entries owned by <see cref="LayerOwner.AppUser"/>; null when none is.</summary>
    public (int UserId, int GroupId)? AppUser { get; init; }

    /// <summary>The uid and gid <paramref name="entry"/> is written with: its own owner, else the layer's.</summary>
    public (int UserId, int GroupId) OwnerOf(LayerEntry entry) => entry.Owner switch
    {
        null => (UserId, GroupId),
        { IsAppUser: true } => AppUser ?? throw new InvalidOperationException($"'{entry.ContainerPath}' is owned by the app's user, which was not resolved."),
        var owner => owner.Resolve(null),
    };
}
