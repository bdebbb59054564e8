using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.SupplyChain;

/// <summary>The purls of the image being built and of its base image.</summary>
internal static class ImagePackageUrl
{
    /// <summary>The image itself, by its repository; null for an image that has none (it is only stored locally).</summary>
    public static string? ForImage(SbomSubject subject)
    {
        if (subject.Repository is not { Length: > 0 } repository)
        {
            return null;
        }
        return PackageUrl.Oci(LastSegment(repository), subject.ManifestDigest, subject.Platform.Architecture, repository, tag: null);
    }

    /// <summary>
    /// The base image. A registry's is found at its canonical repository (<c>docker.io/library/debian</c>, not the
    /// API host), with the tag it was named by. A file or local engine source (<c>oci:PATH[:TAG]</c>,
    /// <c>docker-archive:PATH[:NAME:TAG]</c>, <c>containers-storage:NAME[:TAG]</c>, ...) gets no repository_url, since
    /// no registry is known to hold those bytes; its name is the file's or the image's last segment. With a platform,
    /// the arch qualifier says which of the base's platforms is meant.
    /// </summary>
    public static string ForBase(BaseImageIdentity baseImage, Platform? platform)
    {
        var (name, repositoryUrl, tag) = Locate(baseImage.Name);
        return PackageUrl.Oci(name, baseImage.Digest, platform?.Architecture, repositoryUrl, tag);
    }

    internal static (string Name, string? RepositoryUrl, string? Tag) Locate(string written)
    {
        var colon = written.IndexOf(':');
        var transport = colon > 0 ? written[..colon] : null;
        if (transport is not null && BaseImageLocation.FileTransports.Contains(transport, StringComparer.Ordinal))
        {
            var rest = written[(colon + 1)..];
            if (transport is "containers-storage" or "docker-daemon")
            {
                return NameAndTag(rest);
            }
            var end = rest.IndexOf(':');
            var path = end < 0 ? rest : rest[..end];
            var after = end < 0 ? null : rest[(end + 1)..];
            if (transport == "docker-archive" && after is { Length: > 0 })
            {
                return NameAndTag(after);
            }
            return (FileName(path), null, after is { Length: > 0 } ? after : null);
        }
        try
        {
            var reference = ImageReference.Parse(written);
            var host = reference.Registry.IsDockerHub ? "docker.io" : reference.Registry.Value;
            return (LastSegment(reference.Repository), $"{host}/{reference.Repository}", reference.Tag);
        }
        catch (InvalidReferenceException)
        {
            return NameAndTag(written);
        }
    }

    /// <summary>NAME[:TAG][@DIGEST] as an engine takes it: the last path segment of NAME, and the tag.</summary>
    private static (string Name, string? RepositoryUrl, string? Tag) NameAndTag(string reference)
    {
        var at = reference.IndexOf('@');
        var withoutDigest = at < 0 ? reference : reference[..at];
        var slash = withoutDigest.LastIndexOf('/');
        var colon = withoutDigest.LastIndexOf(':');
        var name = colon > slash ? withoutDigest[..colon] : withoutDigest;
        var tag = colon > slash ? withoutDigest[(colon + 1)..] : null;
        return (LastSegment(name), null, tag is { Length: > 0 } ? tag : null);
    }

    private static string FileName(string path) => LastSegment(path.TrimEnd('/', '\\').Replace('\\', '/'));

    private static string LastSegment(string path)
    {
        var segment = path[(path.LastIndexOf('/') + 1)..];
        return segment.Length > 0 ? segment : "image";
    }
}
