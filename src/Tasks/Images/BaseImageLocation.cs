using Containers.Build.References;

namespace Containers.Build.Images;

/// <summary>
/// Where ContainerBaseImage says the base image is: a registry reference (the default), or a file source named
/// the way skopeo, podman and buildah name it (<c>oci:PATH[:TAG]</c>, <c>oci-archive:PATH[:TAG]</c>,
/// <c>docker-archive:PATH[:NAME:TAG]</c>), or an image in a local engine (<c>containers-storage:NAME[:TAG]</c>, <c>docker-daemon:NAME[:TAG]</c>). <see cref="Written"/> is the name as the user wrote it; it becomes the
/// base.name label of a file source.
/// </summary>
public abstract record BaseImageLocation(string Written)
{
    /// <summary>The transports of skopeo/containers-image that name a file or a local engine, not a registry.</summary>
    public static readonly IReadOnlyList<string> FileTransports = ["oci", "oci-archive", "docker-archive", "containers-storage", "docker-daemon"];

    /// <summary>
    /// <c>scratch</c> (no base), a registry reference, or a file source when the text starts with a transport (<c>oci:</c>). The path ends
    /// at the first ':' after the transport, as in skopeo; what follows is the tag (a docker-archive's NAME:TAG). A relative path is taken from
    /// the current directory (the project's, in a build).
    /// </summary>
    /// <exception cref="InvalidReferenceException">Not a reference, or a transport that is not read.</exception>
    public static BaseImageLocation Parse(string text)
    {
        if (text == ScratchSource.Name)
        {
            return new ScratchLocation();
        }
        var colon = text.IndexOf(':');
        var transport = colon > 0 ? text[..colon] : null;
        if (transport is not null && FileTransports.Contains(transport, StringComparer.Ordinal))
        {
            var rest = text[(colon + 1)..];
            if (transport is "containers-storage" or "docker-daemon")
            {
                // The engine resolves the name (a short name, NAME:TAG, NAME@DIGEST or an image id); it is passed as one argument.
                var name = rest.Trim();
                if (name.Length == 0 || name.Any(char.IsControl))
                {
                    throw new InvalidReferenceException($"'{text}' names no image: write {transport}:NAME[:TAG], as '{EngineImageLocation.CommandFor(transport)} images' lists it.");
                }
                return new EngineImageLocation(text, EngineImageLocation.CommandFor(transport), name);
            }
            if (transport == "docker-archive")
            {
                // docker-archive:PATH[:NAME:TAG]: everything after the path is a reference, colons and all.
                var end = rest.IndexOf(':');
                var file = end < 0 ? rest : rest[..end];
                var name = end < 0 ? null : rest[(end + 1)..];
                if (file.Length == 0 || name is { Length: 0 })
                {
                    throw new InvalidReferenceException($"'{text}' names no {(file.Length == 0 ? "file" : "image")}: write docker-archive:PATH[:NAME:TAG].");
                }
                return new DockerArchiveLocation(text, Path.GetFullPath(file), name);
            }
            var separator = rest.IndexOf(':');
            var path = separator < 0 ? rest : rest[..separator];
            var tag = separator < 0 ? null : rest[(separator + 1)..];
            if (path.Length == 0)
            {
                throw new InvalidReferenceException($"'{text}' names no {(transport == "oci" ? "directory" : "file")}: write {transport}:PATH[:TAG].");
            }
            if (tag is not null && tag.Length == 0)
            {
                throw new InvalidReferenceException($"'{text}' ends with ':' but names no tag: write {transport}:PATH:TAG, or {transport}:PATH for a layout with one image.");
            }
            return transport == "oci"
                ? new OciLayoutLocation(text, Path.GetFullPath(path), tag)
                : new OciArchiveLocation(text, Path.GetFullPath(path), tag);
        }
        return new RegistryLocation(ImageReference.Parse(text));
    }

    /// <summary>The registry path, unchanged: a plain reference is a registry location.</summary>
    public static implicit operator BaseImageLocation(ImageReference reference) => new RegistryLocation(reference);

    public override string ToString() => Written;
}

/// <summary>A base image in a registry (or read through a mirror of it).</summary>
public sealed record RegistryLocation(ImageReference Reference) : BaseImageLocation(Reference.ToString());

/// <summary>An OCI image layout directory; <paramref name="Tag"/> is an org.opencontainers.image.ref.name in its index.json.</summary>
public sealed record OciLayoutLocation(string Written, string Directory, string? Tag) : BaseImageLocation(Written);

/// <summary>A tar of an OCI image layout (what skopeo's oci-archive: writes), gzipped or not.</summary>
public sealed record OciArchiveLocation(string Written, string File, string? Tag) : BaseImageLocation(Written);

/// <summary>What docker save / podman save write; <paramref name="Name"/> is a NAME:TAG of its RepoTags.</summary>
public sealed record DockerArchiveLocation(string Written, string File, string? Name) : BaseImageLocation(Written);

/// <summary>
/// An image in a local engine's store (<c>containers-storage:NAME[:TAG]</c> is podman's, <c>docker-daemon:NAME[:TAG]</c> docker's),
/// read through its CLI, never from its storage directly.
/// </summary>
public sealed record EngineImageLocation(string Written, string Engine, string Name) : BaseImageLocation(Written)
{
    /// <summary>The program run for <see cref="Engine"/>: its name, looked up on PATH (a test gives a wrapper's path).</summary>
    public string Command { get; init; } = Engine;

    public static string CommandFor(string transport) => transport == "docker-daemon" ? "docker" : "podman";
}

/// <summary>No base image: the app's layers alone (for static executables).</summary>
public sealed record ScratchLocation() : BaseImageLocation(ScratchSource.Name);
