using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>A multi-platform base whose platform manifests are of different formats: one index cannot hold both.</summary>
public sealed class BaseImageFormatsMixedException(string reference, IReadOnlyList<(Platform Platform, ImageFormat Format)> formats)
    : Exception($"The base image {reference} has platform manifests in different formats ({string.Join(", ", formats.Select(f => $"{f.Platform}: {(f.Format == ImageFormat.Docker ? "Docker" : "OCI")}"))}), and one image index cannot hold both.")
{
    public string Reference { get; } = reference;
}
