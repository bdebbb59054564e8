using System.Text.Json.Nodes;
using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// <c>ContainerBaseImage=scratch</c>: no base at all (for static executables). Each platform's "base" is an empty
/// configuration naming only its os and architecture (and variant), with no layers; nothing is read or sent for it,
/// and the image gets no base.name / base.digest labels, since it is built on nothing.
/// </summary>
public static class ScratchSource
{
    public const string Name = "scratch";

    public static IReadOnlyList<BaseImage> Resolve(IReadOnlyList<Platform> platforms) => platforms.Select(platform =>
    {
        var json = new JsonObject
        {
            ["architecture"] = platform.Architecture,
            ["os"] = platform.Os,
        };
        if (platform.Variant is not null)
        {
            json["variant"] = platform.Variant;
        }
        json["config"] = new JsonObject();
        json["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray() };
        var config = ImageConfig.FromJson(json);
        var manifest = ImageManifest.Create(ImageFormat.Oci, new Descriptor(MediaTypes.OciConfig, config.Digest, config.Bytes.Length), []);
        return new BaseImage(null, manifest, config, manifest.Digest, []) { SourceName = Name, IsScratch = true };
    }).ToArray();
}
