using Containers.Build.Model;

namespace Containers.Build.Layers;

/// <summary>
/// Blobs on disk, addressed by digest (<c>blobs/sha256/&lt;hex&gt;</c>). Content is written under a
/// temporary name and moved into place only once complete, so a cancelled build never leaves a partial
/// blob under a digest.
/// </summary>
public sealed class ContentStore
{
    public ContentStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(BlobDirectory);
    }

    public string Root { get; }

    private string BlobDirectory => Path.Combine(Root, "blobs", "sha256");

    public string PathOf(Digest digest) => Path.Combine(BlobDirectory, digest.Hex);

    public bool Contains(Digest digest) => File.Exists(PathOf(digest));

    /// <summary>A fresh temporary path in the store, on the same file system as the blobs so the final move is atomic.</summary>
    public string NewTemporaryPath() => Path.Combine(BlobDirectory, $".tmp-{Guid.NewGuid():N}");

    /// <summary>Moves a completed temporary file to its digest's path and returns that path.</summary>
    public string Commit(string temporaryPath, Digest digest)
    {
        var target = PathOf(digest);
        if (File.Exists(target))
        {
            File.Delete(temporaryPath);
        }
        else
        {
            File.Move(temporaryPath, target, overwrite: true);
        }
        return target;
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
        var temporary = NewTemporaryPath();
        try
        {
            File.WriteAllBytes(temporary, content);
            Commit(temporary, digest);
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    /// <summary>Deletes a file if it can; for cleaning up after a failure, where a second error would hide the first.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
