using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;

namespace Containers.Build.SupplyChain;

/// <summary>
/// An image's SBOM as an SPDX 2.3 JSON document. Packages: the image (CONTAINER), the app (APPLICATION), each NuGet
/// package (LIBRARY: version, SHA-512 of its .nupkg, purl, declared license), each referenced project (LIBRARY), the
/// runtime (FRAMEWORK) and the base image (CONTAINER: its digest and purl). Relationships: the document DESCRIBES the
/// image, the image CONTAINS the app and is a DESCENDANT_OF its base, and DEPENDS_ON follows deps.json from the app
/// down, ending at the runtime. Nothing here is random or read from the clock: the namespace comes from the image's
/// name and manifest digest, the creation time is the image's own, and every list is sorted, so the same input is
/// always the same bytes.
/// </summary>
public static class SpdxDocument
{
    public const string MediaType = "application/spdx+json";

    private const string NoAssertion = "NOASSERTION";

    /// <exception cref="SbomSourceException">A deps.json or runtimeconfig.json that exists but does not read.</exception>
    public static byte[] Write(SbomInput input) => Write(input, AppDependencies.Read(input));

    /// <summary>The document for <paramref name="input"/>'s image, from its build graph as already read.</summary>
    internal static byte[] Write(SbomInput input, AppDependencies read)
    {
        var inventory = SoftwareInventory.Take(input, read);
        var ids = new SpdxIds(inventory);
        var image = inventory.Image;

        var packages = new JsonArray();
        foreach (var component in inventory.All)
        {
            packages.Add(Package(component, ids, input.Subject));
        }

        var relationships = new List<Relationship>
        {
            new(SpdxIds.Document, "DESCRIBES", ids[image]),
            new(ids[image], "CONTAINS", ids[inventory.Application]),
        };
        if (inventory.BaseImage is not null)
        {
            // "A DESCENDANT_OF B": A is a descendant of B; the image is built on its base.
            relationships.Add(new(ids[image], "DESCENDANT_OF", ids[inventory.BaseImage]));
        }
        foreach (var (from, targets) in inventory.DependsOn)
        {
            relationships.AddRange(targets.Select(to => new Relationship(ids[from], "DEPENDS_ON", ids[to])));
        }

        var document = new JsonObject
        {
            ["spdxVersion"] = "SPDX-2.3",
            ["dataLicense"] = "CC0-1.0",
            ["SPDXID"] = SpdxIds.Document,
            ["name"] = $"{image.Name}@{input.Subject.ManifestDigest}",
            ["documentNamespace"] = Namespace(image.Name, input.Subject.ManifestDigest),
            ["creationInfo"] = new JsonObject
            {
                ["created"] = GeneratedLabels.FormatTime(input.Subject.Created),
                ["creators"] = new JsonArray($"Tool: {BuildTool.Name}-{input.ToolVersion}"),
            },
            ["packages"] = packages,
            ["relationships"] = new JsonArray(relationships
                .Distinct()
                .OrderBy(r => r.From == SpdxIds.Document ? 0 : 1)
                .ThenBy(r => r.From, StringComparer.Ordinal)
                .ThenBy(r => r.Type, StringComparer.Ordinal)
                .ThenBy(r => r.To, StringComparer.Ordinal)
                .Select(r => (JsonNode)new JsonObject
                {
                    ["spdxElementId"] = r.From,
                    ["relationshipType"] = r.Type,
                    ["relatedSpdxElement"] = r.To,
                })
                .ToArray()),
        };
        return JsonContent.Serialize(document);
    }

    /// <summary>
    /// <c>https://containers.build/spdx/&lt;image name&gt;/&lt;manifest digest hex&gt;</c>: unique per image, as SPDX
    /// wants, and the same whenever the same image is described again.
    /// </summary>
    internal static string Namespace(string imageName, Digest manifestDigest)
        => "https://containers.build/spdx/"
           + string.Join('/', imageName.Split('/').Select(Uri.EscapeDataString))
           + "/" + manifestDigest.Hex;

    /// <summary>
    /// One SPDX relationship. A class, not a tuple: sorting and de-duplicating a framework collection of a value type of
    /// the framework's is compiled when the publish runs (the package's precompiled code cannot hold it), tens of ms.
    /// </summary>
    private sealed record Relationship(string From, string Type, string To);

    private static JsonObject Package(InventoryComponent component, SpdxIds ids, SbomSubject subject)
    {
        var package = new JsonObject
        {
            ["SPDXID"] = ids[component],
            ["name"] = component.Name,
        };
        if (component.Version is not null)
        {
            package["versionInfo"] = component.Version;
        }
        package["primaryPackagePurpose"] = component.Role switch
        {
            ComponentRole.Image or ComponentRole.BaseImage => "CONTAINER",
            ComponentRole.Application => "APPLICATION",
            ComponentRole.Runtime => "FRAMEWORK",
            _ => "LIBRARY",
        };
        if (component.Role == ComponentRole.Image)
        {
            package["builtDate"] = GeneratedLabels.FormatTime(subject.Created);
        }
        package["downloadLocation"] = NoAssertion;
        package["filesAnalyzed"] = false;
        var checksums = new JsonArray();
        if (component.Sha512Hex is not null)
        {
            checksums.Add(new JsonObject { ["algorithm"] = "SHA512", ["checksumValue"] = component.Sha512Hex });
        }
        if (component.Digest is not null)
        {
            checksums.Add(new JsonObject { ["algorithm"] = "SHA256", ["checksumValue"] = component.Digest.Hex });
        }
        if (checksums.Count > 0)
        {
            package["checksums"] = checksums;
        }
        if (component.Purl is not null)
        {
            package["externalRefs"] = new JsonArray(new JsonObject
            {
                ["referenceCategory"] = "PACKAGE-MANAGER",
                ["referenceType"] = "purl",
                ["referenceLocator"] = component.Purl,
            });
        }
        package["licenseConcluded"] = NoAssertion;
        package["licenseDeclared"] = component.License ?? NoAssertion;
        package["copyrightText"] = NoAssertion;
        return package;
    }
}
