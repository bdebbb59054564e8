using Containers.Build.Model;

namespace Containers.Build.Native;

/// <summary>
/// A layer whose file list was asked for is not a readable tar archive (plain, gzipped or zstd);
/// <see cref="Exception.InnerException"/> says what the reader found.
/// </summary>
public sealed class UnreadableLayerException(Digest digest, Exception inner)
    : Exception($"The layer {digest} is not a readable tar archive, so the files it holds cannot be listed: {inner.Message}", inner)
{
    public Digest Digest { get; } = digest;
}
