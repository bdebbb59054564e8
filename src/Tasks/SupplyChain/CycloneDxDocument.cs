using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;

namespace Containers.Build.SupplyChain;

/// <summary>
/// An image's SBOM as a CycloneDX 1.6 JSON document: the image is <c>metadata.component</c> (container); the
/// components are the app (application), each NuGet package (library: purl as bom-ref, SHA-512 of its .nupkg,
/// declared license expression), each referenced project (library), the runtime (framework) and the base image
/// (container, with its purl); <c>dependencies</c> lists every one of them with what it depends on (the image on its
/// app and base, then deps.json's graph). The serial number is a version 5 UUID of the image's manifest digest, the
/// timestamp the image's own creation time, and every list is sorted: the same input is always the same bytes.
/// </summary>
public static class CycloneDxDocument
{
    public const string MediaType = "application/vnd.cyclonedx+json";

    /// <exception cref="SbomSourceException">A deps.json or runtimeconfig.json that exists but does not read.</exception>
    public static byte[] Write(SbomInput input) => Write(input, AppDependencies.Read(input));

    /// <summary>The document for <paramref name="input"/>'s image, from its build graph as already read.</summary>
    internal static byte[] Write(SbomInput input, AppDependencies read)
    {
        var inventory = SoftwareInventory.Take(input, read);
        var image = inventory.Image;

        var imageDependencies = new List<string> { inventory.Application.Key };
        if (inventory.BaseImage is not null)
        {
            imageDependencies.Add(inventory.BaseImage.Key);
        }
        var dependencies = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            [image.Key] = imageDependencies.Order(StringComparer.Ordinal).ToList(),
        };
        foreach (var component in inventory.All.Skip(1))
        {
            dependencies[component.Key] = inventory.DependsOn.TryGetValue(component.Key, out var keys) ? keys : [];
        }

        var document = new JsonObject
        {
            ["bomFormat"] = "CycloneDX",
            ["specVersion"] = "1.6",
            ["serialNumber"] = SerialNumber(input.Subject.ManifestDigest),
            ["version"] = 1,
            ["metadata"] = new JsonObject
            {
                ["timestamp"] = GeneratedLabels.FormatTime(input.Subject.Created),
                ["tools"] = new JsonObject
                {
                    ["components"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "application",
                        ["name"] = BuildTool.Name,
                        ["version"] = input.ToolVersion,
                    }),
                },
                ["component"] = Component(image),
            },
            ["components"] = new JsonArray(inventory.All.Skip(1).Select(c => (JsonNode)Component(c)).ToArray()),
            ["dependencies"] = new JsonArray(dependencies
                .Select(d => (JsonNode)new JsonObject
                {
                    ["ref"] = d.Key,
                    ["dependsOn"] = new JsonArray(d.Value.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
                })
                .ToArray()),
        };
        return JsonContent.Serialize(document);
    }

    /// <summary><c>urn:uuid:</c> and a version 5 UUID of the manifest digest: one serial number per image, never random.</summary>
    internal static string SerialNumber(Digest manifestDigest)
        => "urn:uuid:" + NameBasedUuid.Create(NameBasedUuid.UrlNamespace, $"https://containers.build/cyclonedx/{manifestDigest}");

    private static JsonObject Component(InventoryComponent component)
    {
        var json = new JsonObject
        {
            ["type"] = component.Role switch
            {
                ComponentRole.Image or ComponentRole.BaseImage => "container",
                ComponentRole.Application => "application",
                ComponentRole.Runtime => "framework",
                _ => "library",
            },
            ["bom-ref"] = component.Key,
            ["name"] = component.Name,
        };
        if (component.Version is not null)
        {
            json["version"] = component.Version;
        }
        var hashes = new JsonArray();
        if (component.Sha512Hex is not null)
        {
            hashes.Add(new JsonObject { ["alg"] = "SHA-512", ["content"] = component.Sha512Hex });
        }
        if (component.Digest is not null)
        {
            hashes.Add(new JsonObject { ["alg"] = "SHA-256", ["content"] = component.Digest.Hex });
        }
        if (hashes.Count > 0)
        {
            json["hashes"] = hashes;
        }
        if (component.License is not null)
        {
            json["licenses"] = new JsonArray(new JsonObject { ["expression"] = component.License });
        }
        if (component.Purl is not null)
        {
            json["purl"] = component.Purl;
        }
        return json;
    }
}
