using Containers.Build.Layers;
using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// Reads a base image from a tar of an OCI image layout (<c>oci-archive:PATH[:TAG]</c>), gzipped or not, without
/// unpacking it: one streaming pass keeps index.json and the small blobs (indexes, manifests, configs) in memory,
/// the image is chosen as in a layout directory, and a second pass copies only the layers it needs (those the
/// content store lacks) into the store, each hashed on the way and kept only when it matches its digest.
/// </summary>
public static class OciArchiveSource
{
    /// <summary>Blobs up to this size are kept in memory by the first pass: manifests, indexes and configs are far smaller.</summary>
    private const long SmallBlobLimit = 4 * 1024 * 1024;

    private const string BlobPrefix = "blobs/sha256/";

    public static async Task<IReadOnlyList<BaseImage>> ResolveAsync(OciArchiveLocation location, IReadOnlyList<Platform> platforms, ContentStore store, CancellationToken cancellationToken)
    {
        var source = location.Written;
        if (!File.Exists(location.File))
        {
            throw new BaseImageFileException(BaseImageFileFailure.Missing, source,
                Directory.Exists(location.File)
                    ? $"The base image {source} names {location.File}, which is a directory, not an archive (for a layout directory, write oci:{location.File})."
                    : $"The base image {source} names the file {location.File}, which does not exist.");
        }

        byte[]? index = null;
        var hasLayoutFile = false;
        var small = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var blobs = new HashSet<string>(StringComparer.Ordinal);
        await ArchiveEntries.ReadAsync(location.File, source, async (name, entry) =>
        {
            if (name == "index.json")
            {
                index = await ArchiveEntries.ReadAllAsync(entry.DataStream!, cancellationToken).ConfigureAwait(false);
            }
            else if (name == "oci-layout")
            {
                hasLayoutFile = true;
            }
            else if (name.StartsWith(BlobPrefix, StringComparison.Ordinal))
            {
                var hex = name[BlobPrefix.Length..];
                blobs.Add(hex);
                if (entry.Length <= SmallBlobLimit)
                {
                    small[hex] = await ArchiveEntries.ReadAllAsync(entry.DataStream!, cancellationToken).ConfigureAwait(false);
                }
            }
        }, cancellationToken).ConfigureAwait(false);
        if (index is null || !hasLayoutFile)
        {
            throw new BaseImageFileException(BaseImageFileFailure.Invalid, source,
                $"The base image {source} names {location.File}, which is not an OCI layout archive (it has no oci-layout and index.json at its top).");
        }

        var layout = new OciLayoutSource.Layout(source, $"The OCI archive {location.File}", location.Tag, index,
            descriptor => small.TryGetValue(descriptor.Digest.Hex, out var bytes)
                ? OciLayoutSource.Verified(source, $"{BlobPrefix}{descriptor.Digest.Hex} in {location.File}", descriptor, bytes)
                : throw Missing(source, location, descriptor),
            descriptor => new FileBaseLayer(descriptor, store.PathOf(descriptor.Digest), source, store));
        var bases = OciLayoutSource.Resolve(layout, platforms, cancellationToken);

        var needed = bases.SelectMany(b => b.Layers).Select(l => l.Descriptor).Where(d => !store.Contains(d.Digest))
            .DistinctBy(d => d.Digest.Hex).ToDictionary(d => d.Digest.Hex, StringComparer.Ordinal);
        if (needed.Values.FirstOrDefault(d => !blobs.Contains(d.Digest.Hex)) is { } absent)
        {
            throw Missing(source, location, absent);
        }
        if (needed.Count > 0)
        {
            await ArchiveEntries.ReadAsync(location.File, source, async (name, entry) =>
            {
                if (name.StartsWith(BlobPrefix, StringComparison.Ordinal) && needed.Remove(name[BlobPrefix.Length..], out var descriptor))
                {
                    await ExtractAsync(source, location, entry.DataStream!, descriptor, store, cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        return bases;
    }

    private static BaseImageFileException Missing(string source, OciArchiveLocation location, Descriptor descriptor)
        => new(BaseImageFileFailure.Missing, source, $"The base image {source} lists {descriptor.Digest}, but {location.File} has no {BlobPrefix}{descriptor.Digest.Hex}.");

    /// <summary>Copies one layer into the content store, hashed on the way; committed under its digest only when it matches.</summary>
    private static async Task ExtractAsync(string source, OciArchiveLocation location, Stream data, Descriptor descriptor, ContentStore store, CancellationToken cancellationToken)
    {
        await using var blob = store.NewBlob(useAsync: true);
        var hashing = new HashingStream(blob.Stream, leaveOpen: true);
        await data.CopyToAsync(hashing, cancellationToken).ConfigureAwait(false);
        await hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
        var actual = hashing.GetDigest();
        if (actual != descriptor.Digest || hashing.BytesWritten != descriptor.Size)
        {
            throw new BaseImageFileException(BaseImageFileFailure.DigestMismatch, source,
                $"The layer {descriptor.Digest} of the base image {source} ({BlobPrefix}{descriptor.Digest.Hex} in {location.File}) does not match its digest: it has {hashing.BytesWritten} bytes with digest {actual}, the manifest says {descriptor.Size} bytes.",
                digest: descriptor.Digest);
        }
        store.Commit(blob, descriptor.Digest);
    }
}
