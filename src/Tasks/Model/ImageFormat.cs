namespace Containers.Build.Model;

/// <summary>The manifest family an image is written in; layer and config media types follow it.</summary>
public enum ImageFormat
{
    Oci,
    Docker,
}

public static class ImageFormatExtensions
{
    public static string ManifestMediaType(this ImageFormat format)
        => format == ImageFormat.Docker ? MediaTypes.DockerManifest : MediaTypes.OciManifest;

    public static string ConfigMediaType(this ImageFormat format)
        => format == ImageFormat.Docker ? MediaTypes.DockerConfig : MediaTypes.OciConfig;

    public static string GzipLayerMediaType(this ImageFormat format)
        => format == ImageFormat.Docker ? MediaTypes.DockerLayerGzip : MediaTypes.OciLayerGzip;

    public static ImageFormat FromManifestMediaType(string mediaType)
        => mediaType == MediaTypes.DockerManifest ? ImageFormat.Docker : ImageFormat.Oci;

    /// <summary>The same kind of layer in another format: a base layer keeps its content, only its label changes.</summary>
    public static string TranslateLayerMediaType(this ImageFormat format, string layerMediaType) => layerMediaType switch
    {
        MediaTypes.DockerLayerGzip or MediaTypes.OciLayerGzip => format.GzipLayerMediaType(),
        _ => layerMediaType,
    };
}
