using Containers.Build.Model;

namespace Containers.Build.Publishing.Join;

/// <summary>
/// The images to join are not all of one format: an OCI image index lists OCI manifests, a Docker manifest list Docker
/// ones, and a manifest cannot change format without changing its digest.
/// </summary>
public sealed class JoinFormatsMixedException(IReadOnlyList<(Platform Platform, ImageFormat Format, string Source)> images)
    : Exception($"The images to join are not all of one format ({string.Join(", ", images.Select(i => $"{i.Platform}: {(i.Format == ImageFormat.Oci ? "OCI" : "Docker")} from {i.Source}"))}): an index is an OCI image index of OCI manifests or a Docker manifest list of Docker ones.")
{
    public IReadOnlyList<(Platform Platform, ImageFormat Format, string Source)> Images { get; } = images;
}
