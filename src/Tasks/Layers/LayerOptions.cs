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

    /// <summary>
    /// zlib's level for this layer's gzip when it is not <see cref="CompressionLevel"/>'s own (<see cref="For"/> sets it);
    /// null for that one.
    /// </summary>
    public int? DeflateLevel { get; init; }

    /// <summary>The zlib level this layer's gzip is written at: <see cref="DeflateLevel"/>, else <see cref="CompressionLevel"/>'s.</summary>
    public int ZlibLevel => DeflateLevel ?? ZlibLevelOf(CompressionLevel);

    /// <summary>
    /// The zlib level System.IO.Compression gives each <see cref="System.IO.Compression.CompressionLevel"/> (the same
    /// bytes as asking for it by name, so layers written before keep their digests).
    /// </summary>
    public static int ZlibLevelOf(CompressionLevel level) => level switch
    {
        CompressionLevel.NoCompression => 0,
        CompressionLevel.Fastest => 1,
        CompressionLevel.SmallestSize => 9,
        _ => 6,
    };

    /// <summary>
    /// Whether a file unpacked from a NuGet package (<see cref="LayerEntry.Packed"/>) goes into the gzip as its package
    /// compressed it, a member of its own, instead of being compressed again: at zlib's levels 1 to 6. NuGet deflates at
    /// the default level, the SDK's: LargeWebApp's package assemblies are 11.98 MB so, against 12.14 MB at level 6 in
    /// one stream, and cost no compression at all. Not at level 0 (asked to store) nor 7–9 (asked for smaller than that).
    /// </summary>
    public bool ReusesPackageCompression => Compression == LayerCompression.Gzip && ZlibLevel is >= 1 and <= 6;

    /// <summary>
    /// Whether a layer of <paramref name="entries"/> holds files as their packages deflated them: what
    /// <see cref="LayerWriter"/> does and what <see cref="LayerInputKey"/> says, asked in one place so they never disagree.
    /// </summary>
    public bool ReusesPackageCompressionIn(IReadOnlyList<LayerEntry> entries) => ReusesPackageCompression && entries.Any(e => e.Packed is not null);

    /// <summary>Whether <see cref="For"/> gives each kind of layer its own level (ContainerLayerCompressionLevel not set).</summary>
    public bool LevelByKind { get; init; }

    /// <summary>
    /// zlib's level for the gzip of the layers made of the project's own files (the application, project references,
    /// static web assets) when no level is set: they change with nearly every commit, so every publish writes them again,
    /// where the packages layer is written once and then cached or found in the registry. Level 4 does half of level 6's
    /// work for 1–4% more bytes (a 30 MB folder of assemblies: 0.50 s against 0.69 s on one core, 12.28 MB against 12.14;
    /// 50,000 small text files: 2.3 s against 4.5 s, 43.0 MB against 41.3), and these layers are mostly small.
    /// </summary>
    public const int ChangingLayerDeflateLevel = 4;

    /// <summary>
    /// The modification time of every entry of the packages layer, whatever the commit. The other layers take the image's
    /// time (<c>SOURCE_DATE_EPOCH</c>, else the commit's), so a new commit gave the packages layer new bytes too, and every
    /// CI run of a new commit wrote and uploaded it again though no package had changed. NuGet's files are the same for the
    /// same package versions, and an app reads no meaning into a package assembly's time: now their layer is the same at
    /// every commit, cached here or found in the registry by its key. The static web assets, whose times the endpoints
    /// manifest names, and the app's own files keep the image's time.
    /// </summary>
    public static readonly DateTimeOffset PackagesModificationTime = DateTimeOffset.UnixEpoch;

    /// <summary>
    /// The options of a layer of this kind: <see cref="PackagesModificationTime"/> for the packages layer, and
    /// <see cref="ChangingLayerDeflateLevel"/> for the project's own files' gzip when no level was set.
    /// </summary>
    public LayerOptions For(LayerKind kind)
    {
        var options = kind == LayerKind.Packages ? this with { ModificationTime = PackagesModificationTime } : this;
        return LevelByKind && Compression == LayerCompression.Gzip && kind is LayerKind.Application or LayerKind.ProjectReferences or LayerKind.StaticWebAssets
            ? options with { DeflateLevel = ChangingLayerDeflateLevel }
            : options;
    }

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
