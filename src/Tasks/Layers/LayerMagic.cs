using System.IO.Compression;
using ZstdSharp;

namespace Containers.Build.Layers;

/// <summary>
/// A layer's compression told from its first bytes, for readers of layers whose media type is not at hand (a file
/// list, a docker-archive's layer files): gzip, zstd, or neither (a plain tar).
/// </summary>
public static class LayerMagic
{
    /// <summary>The bytes to read to tell: zstd's frame magic is the longest.</summary>
    public const int Length = 4;

    public static bool IsGzip(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b;

    /// <summary>A Zstandard frame (RFC 8878: magic 0xFD2FB528, little-endian).</summary>
    public static bool IsZstd(ReadOnlySpan<byte> head) => head.Length >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd;

    /// <summary><paramref name="stream"/> (positioned where <paramref name="head"/> was read from) as the tar it holds.</summary>
    public static Stream Decompressed(Stream stream, ReadOnlySpan<byte> head)
        => IsGzip(head) ? new GZipStream(stream, CompressionMode.Decompress)
            : IsZstd(head) ? new DecompressionStream(stream)
            : stream;
}
