using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Registry;

namespace Containers.Build.Publishing.Join;

/// <summary>
/// An OCI image layout directory, as ContainerOciLayoutPath or <c>skopeo copy … oci:DIR</c> write it (on a runner with
/// no registry access, say). Documents are read whole and checked against their digest; blobs are copied, checked,
/// into the content store and uploaded from there. Referrers are the artifact manifests the layout's index.json lists
/// whose subject is the image.
/// </summary>
internal sealed class LayoutSourceStore : SourceStore
{
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private readonly string _directory;
    private readonly string _source;
    private readonly IReadOnlyList<JsonObject> _entries;
    private readonly ContentStore _store;

    private LayoutSourceStore(string directory, string source, IReadOnlyList<JsonObject> entries, ContentStore store)
    {
        _directory = directory;
        _source = source;
        _entries = entries;
        _store = store;
    }

    /// <exception cref="JoinImageNotFoundException">The directory does not exist.</exception>
    /// <exception cref="JoinImageUnreadableException">It is not an OCI image layout, or its index.json cannot be read.</exception>
    public static LayoutSourceStore Open(LayoutJoinSource source, ContentStore store)
    {
        var directory = source.Directory;
        if (!System.IO.Directory.Exists(directory))
        {
            throw new JoinImageNotFoundException(source.Written, File.Exists(directory)
                ? $"{source.Written} names {directory}, which is a file, not an OCI image layout directory."
                : $"{source.Written} names the directory {directory}, which does not exist.");
        }
        var indexPath = Path.Combine(directory, "index.json");
        if (!File.Exists(indexPath) || !File.Exists(Path.Combine(directory, "oci-layout")))
        {
            throw new JoinImageUnreadableException(source.Written, $"{source.Written} names {directory}, which is not an OCI image layout (it has no oci-layout and index.json).");
        }
        try
        {
            var manifests = JsonContent.ParseObject(File.ReadAllBytes(indexPath), $"index.json of the OCI layout {directory}")["manifests"] as JsonArray
                ?? throw new InvalidContentException($"The index.json of the OCI layout {directory} has no manifests array.");
            return new LayoutSourceStore(directory, source.Written, manifests.OfType<JsonObject>().ToArray(), store);
        }
        catch (InvalidContentException e)
        {
            throw new JoinImageUnreadableException(source.Written, e.Message, e);
        }
    }

    public override string Where => $"the OCI layout {_directory}";

    /// <summary>The image the entry names: by its digest, by its tag (ref.name), or the layout's only image.</summary>
    /// <exception cref="JoinImageNotFoundException">No image has that tag, or no digest or tag was given and the layout holds none or several.</exception>
    public Digest Choose(LayoutJoinSource source)
    {
        if (source.Digest is { } digest)
        {
            return digest;
        }
        // Referrers (an image's SBOM) are listed in a layout too; they are not images to join.
        var images = _entries.Where(e => e["artifactType"] is null)
            .Select(e => (Descriptor: Descriptor.FromJson(e, $"An entry of {Where}'s index.json"), Tag: JsonFields.String(e["annotations"], RefNameAnnotation, $"An entry of {Where}'s index.json")))
            .ToArray();
        var listed = string.Join(", ", images.Select(i => i.Tag is null ? i.Descriptor.Digest.ToString() : $"{i.Descriptor.Digest} (tag {i.Tag})"));
        if (source.Tag is { } tag)
        {
            return images.FirstOrDefault(i => i.Tag == tag).Descriptor?.Digest
                ?? throw new JoinImageNotFoundException(source.Written, $"{Where} has no image tagged '{tag}' (org.opencontainers.image.ref.name); it has {(images.Length == 0 ? "no image" : listed)}.");
        }
        var distinct = images.DistinctBy(i => i.Descriptor.Digest).ToArray();
        return distinct.Length == 1
            ? distinct[0].Descriptor.Digest
            : throw new JoinImageNotFoundException(source.Written, distinct.Length == 0
                ? $"{Where} holds no image."
                : $"{Where} holds {distinct.Length} images, and {source.Written} does not say which: name one as oci:{_directory}@DIGEST or oci:{_directory}:TAG ({listed}).");
    }

    public override Task<ManifestContent?> GetManifestAsync(Digest digest, CancellationToken cancellationToken)
    {
        var path = BlobPath(digest);
        if (!File.Exists(path))
        {
            return Task.FromResult<ManifestContent?>(null);
        }
        var bytes = Verified(path, File.ReadAllBytes(path), digest, null);
        // A document may leave out its mediaType; the layout's index.json then says what it is.
        var listedType = _entries.Where(e => JsonFields.String(e, "digest", "An entry of index.json") == digest.ToString())
            .Select(e => JsonFields.String(e, "mediaType", "An entry of index.json")).FirstOrDefault(t => t is not null);
        return Task.FromResult<ManifestContent?>(new ManifestContent(bytes, listedType, digest));
    }

    public override Task<byte[]> GetSmallBlobAsync(Descriptor descriptor, CancellationToken cancellationToken)
    {
        var path = BlobPath(descriptor.Digest);
        if (!File.Exists(path))
        {
            throw new JoinImageNotFoundException(_source, $"{Where} lacks the blob {descriptor.Digest}: {path} does not exist.");
        }
        return Task.FromResult(Verified(path, File.ReadAllBytes(path), descriptor.Digest, descriptor.Size));
    }

    public override ImageLayer Blob(Descriptor descriptor) => new LayoutBlob(descriptor, BlobPath(descriptor.Digest), _source, _store);

    public override async Task<IReadOnlyList<Descriptor>> ReferrersAsync(Digest subject, CancellationToken cancellationToken)
    {
        var referrers = new List<Descriptor>();
        foreach (var entry in _entries.Where(e => MediaTypes.IsManifest(JsonFields.String(e, "mediaType", "An entry of index.json"))))
        {
            var descriptor = Descriptor.FromJson(entry, $"An entry of {Where}'s index.json");
            if (descriptor.Digest == subject || await GetManifestAsync(descriptor.Digest, cancellationToken).ConfigureAwait(false) is not { } manifest)
            {
                continue;
            }
            var subjectOf = JsonContent.ParseObject(manifest.Bytes, "manifest")["subject"];
            if (subjectOf is not null && Descriptor.FromJson(subjectOf, $"The subject of {descriptor.Digest}").Digest == subject)
            {
                referrers.Add(descriptor);
            }
        }
        return referrers;
    }

    private string BlobPath(Digest digest) => Path.Combine(_directory, "blobs", digest.Algorithm, digest.Hex);

    private byte[] Verified(string path, byte[] bytes, Digest digest, long? size)
    {
        var actual = Digest.Compute(bytes);
        if (actual != digest || (size is { } expected && expected != bytes.LongLength))
        {
            throw new JoinImageUnreadableException(_source,
                $"The blob {path} of {Where} does not match its digest: it has {bytes.LongLength} bytes with digest {actual}, expected {digest}{(size is { } s ? $" ({s} bytes)" : "")}.");
        }
        return bytes;
    }
}
