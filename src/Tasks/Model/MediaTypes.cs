namespace Containers.Build.Model;

public static class MediaTypes
{
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";

    /// <summary>A layer tar in one Zstandard frame; OCI only (Docker's schema2 has no zstd layer type).</summary>
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";

    /// <summary>The empty descriptor's media type (<c>{}</c>): an artifact manifest's config when it has none (image-spec 1.1).</summary>
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";
    public const string SpdxJson = "application/spdx+json";
    public const string CycloneDxJson = "application/vnd.cyclonedx+json";
    public const string InTotoJson = "application/vnd.in-toto+json";

    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;

    public static bool IsManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;
}
