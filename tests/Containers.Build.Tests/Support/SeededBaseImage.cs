using System.Text;
using Containers.Build.Model;

namespace Containers.Build.Tests.Support;

/// <summary>A small base image put straight into an in-memory registry: one layer, a config, a manifest (or an index of several platforms).</summary>
public static class SeededBaseImage
{
    /// <summary>Seeds <c>repository:tag</c>; with several architectures the tag names an OCI index of one image each.</summary>
    /// <returns>The digest the tag names and each platform's layer.</returns>
    public static (Digest Top, IReadOnlyList<Descriptor> Layers) Put(InMemoryRegistry registry, string repository, string tag, params string[] architectures)
    {
        architectures = architectures.Length == 0 ? ["amd64"] : architectures;
        var layers = new List<Descriptor>();
        var manifests = new List<(Descriptor Manifest, string Architecture)>();
        foreach (var architecture in architectures)
        {
            var layerBytes = Encoding.UTF8.GetBytes($"base layer for {architecture} of {repository}");
            var layer = new Descriptor(MediaTypes.OciLayerGzip, registry.PutBlob(repository, layerBytes), layerBytes.Length);
            var config = Encoding.UTF8.GetBytes($$"""
                {"architecture":"{{architecture}}","os":"linux","config":{"Env":["PATH=/usr/bin:/bin","APP_UID=1654"]},
                 "rootfs":{"type":"layers","diff_ids":["{{Digest.Compute(layerBytes)}}"]},"history":[{"created_by":"seed"}]}
                """);
            var configDescriptor = new Descriptor(MediaTypes.OciConfig, registry.PutBlob(repository, config), config.Length);
            var manifest = ImageManifest.Create(ImageFormat.Oci, configDescriptor, [layer]);
            registry.PutManifest(repository, architectures.Length == 1 ? tag : null, manifest.Bytes, manifest.MediaType);
            layers.Add(layer);
            manifests.Add((new Descriptor(manifest.MediaType, manifest.Digest, manifest.Bytes.Length), architecture));
            if (architectures.Length == 1)
            {
                return (manifest.Digest, layers);
            }
        }
        var entries = new System.Text.Json.Nodes.JsonArray(manifests.Select(m => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
        {
            ["mediaType"] = m.Manifest.MediaType,
            ["digest"] = m.Manifest.Digest.ToString(),
            ["size"] = m.Manifest.Size,
            ["platform"] = m.Architecture == "arm64"
                ? new System.Text.Json.Nodes.JsonObject { ["os"] = "linux", ["architecture"] = "arm64", ["variant"] = "v8" }
                : new System.Text.Json.Nodes.JsonObject { ["os"] = "linux", ["architecture"] = m.Architecture },
        }).ToArray());
        var index = JsonContent.Serialize(new System.Text.Json.Nodes.JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex, ["manifests"] = entries });
        return (registry.PutManifest(repository, tag, index, MediaTypes.OciIndex), layers);
    }
}
