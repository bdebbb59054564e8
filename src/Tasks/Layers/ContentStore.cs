using Containers.Build.Model;

namespace Containers.Build.Layers;

/// <summary>
/// Blobs on disk, addressed by digest (<c>blobs/sha256/&lt;hex&gt;</c>). Content is written as a
/// <see cref="PendingFile"/> and gets its digest's name only once complete, so a cancelled build never leaves
/// a partial blob under a digest.
/// </summary>
public sealed class ContentStore
{
    /// <param name="root">The project's own store (ContainersBuildContentStore, <c>obj/containers</c>).</param>
    /// <param name="sharedRoot">
    /// The machine's (ContainersBuildSharedCache): what every project on this machine may reuse, namely the base layers'
    /// file lists. None when not given, or when the folder cannot be made (a read-only home): then the project's store
    /// keeps them, as it does without one.
    /// </param>
    public ContentStore(string root, string? sharedRoot = null)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(BlobDirectory);
        // What a killed build left half-written; blobs, records and other builds' files in progress stay.
        PendingFile.RemoveAbandoned(BlobDirectory);
        PendingFile.RemoveAbandoned(Path.Combine(Root, "layers"));
        SharedRoot = UsableFolder(sharedRoot);
    }

    public string Root { get; }

    /// <summary>The machine-wide folder (see the constructor), or null.</summary>
    public string? SharedRoot { get; }

    private static string? UsableFolder(string? folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
        {
            return null;
        }
        try
        {
            return Directory.CreateDirectory(Path.GetFullPath(folder)).FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private string BlobDirectory => Path.Combine(Root, "blobs", "sha256");

    public string PathOf(Digest digest) => Path.Combine(BlobDirectory, digest.Hex);

    public bool Contains(Digest digest) => File.Exists(PathOf(digest));

    /// <summary>A new blob being written, in the store's folder so that <see cref="Commit"/> is a rename.</summary>
    public PendingFile NewBlob(bool useAsync = false) => PendingFile.In(BlobDirectory, useAsync);

    /// <summary>Gives a completed blob its digest's name (keeping an equal one already there) and returns that path.</summary>
    public string Commit(PendingFile blob, Digest digest)
    {
        var target = PathOf(digest);
        blob.Commit(target, keepExisting: true);
        return target;
    }

    /// <summary>
    /// Copies a local file (a blob of an OCI layout) into the store under the descriptor it must match, streamed and hashed
    /// on the way. Returns the stored path, or, when the bytes do not match, null with what the file has: then nothing is
    /// stored under a digest it does not have (the pending copy is discarded), and the caller says whose file it was.
    /// </summary>
    public async Task<(string? Path, long Size, Digest Digest)> CopyInVerifiedAsync(string sourceFile, Descriptor expected, CancellationToken cancellationToken)
    {
        await using var blob = NewBlob(useAsync: true);
        long size;
        Digest actual;
        await using (var source = new FileStream(sourceFile, FileMode.Open, FileAccess.Read, FileShare.Read, FileBuffer.Size, useAsync: true))
        {
            var hashing = new HashingStream(blob.Stream);
            await source.CopyToAsync(hashing, cancellationToken).ConfigureAwait(false);
            await hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
            size = hashing.BytesWritten;
            actual = hashing.GetDigest();
        }
        return actual == expected.Digest && size == expected.Size ? (Commit(blob, expected.Digest), size, actual) : (null, size, actual);
    }

    /// <summary>The stored bytes of a small blob (a manifest or config), or null when absent or not matching the digest.</summary>
    public byte[]? TryReadVerified(Digest digest)
    {
        if (!Contains(digest))
        {
            return null;
        }
        var bytes = File.ReadAllBytes(PathOf(digest));
        return Digest.Compute(bytes) == digest ? bytes : null;
    }

    /// <summary>Stores a small blob the caller has verified against <paramref name="digest"/>.</summary>
    public void WriteBytes(byte[] content, Digest digest)
    {
        using var blob = NewBlob();
        blob.Stream.Write(content);
        Commit(blob, digest);
    }
}
