using Containers.Build.References;

namespace Containers.Build.Images.Destinations;

/// <summary>Where an image goes. A publish can send one image to several targets.</summary>
public abstract record ImageTarget;

/// <summary>A registry, over the OCI distribution API (ContainerRegistry).</summary>
public sealed record RegistryTarget(RegistryHost Registry) : ImageTarget;

public enum ArchiveFormat
{
    /// <summary>docker save's format (manifest.json, repositories): podman load and docker load read it.</summary>
    Docker,

    /// <summary>A tar of an OCI image layout (oci-layout, index.json, blobs/).</summary>
    Oci,
}

/// <summary>A tar file (ContainerArchiveOutputPath), gzipped when its name ends in .tar.gz or .tgz.</summary>
public sealed record ArchiveTarget(string Path, ArchiveFormat Format, bool Gzip) : ImageTarget;

/// <summary>An OCI image layout directory (ContainerOciLayoutPath); images already there stay.</summary>
public sealed record OciLayoutTarget(string Directory) : ImageTarget;

public enum LocalEngine
{
    Docker,
    Podman,
}

/// <summary>
/// A local container engine, loaded through its CLI (LocalRegistry). With no engine given, the first usable
/// one; when none is, the archive at <see cref="FallbackArchivePath"/> is written instead.
/// </summary>
public sealed record LocalEngineTarget(LocalEngine? Engine, string FallbackArchivePath) : ImageTarget;
