using System.Text.Json.Nodes;
using Containers.Build.SupplyChain;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.SupplyChain;

public class SpdxDocumentTests
{
    private static readonly JsonObject Document = SbomFixtures.Parse(SpdxDocument.Write(SbomFixtures.FrameworkDependent()));

    private static JsonObject Package(string name) => Document["packages"]!.AsArray().Cast<JsonObject>().Single(p => p["name"]!.GetValue<string>() == name);

    private static IEnumerable<(string From, string Type, string To)> Relationships(JsonObject document)
        => document["relationships"]!.AsArray().Select(r => (r!["spdxElementId"]!.GetValue<string>(), r["relationshipType"]!.GetValue<string>(), r["relatedSpdxElement"]!.GetValue<string>()));

    private static string Id(string name) => Package(name)["SPDXID"]!.GetValue<string>();

    [Fact]
    public void The_document_is_spdx_2_3_named_by_the_image_and_dated_by_it()
    {
        Assert.Equal("SPDX-2.3", Document["spdxVersion"]!.GetValue<string>());
        Assert.Equal("CC0-1.0", Document["dataLicense"]!.GetValue<string>());
        Assert.Equal("SPDXRef-DOCUMENT", Document["SPDXID"]!.GetValue<string>());
        Assert.Equal($"https://containers.build/spdx/registry.example.com/team/webapp/{SbomFixtures.ImageDigest.Hex}", Document["documentNamespace"]!.GetValue<string>());
        Assert.Equal("2024-05-06T05:08:09Z", Document["creationInfo"]!["created"]!.GetValue<string>());
        Assert.Equal(["Tool: Containers.Build-1.2.3-test"], Document["creationInfo"]!["creators"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    [Fact]
    public void Packages_are_the_image_the_app_its_libraries_the_runtime_and_the_base()
    {
        Assert.Equal(
            [
                ("registry.example.com/team/webapp", "CONTAINER"),
                ("WebApp", "APPLICATION"),
                ("Newtonsoft.Json", "LIBRARY"),
                ("Serilog", "LIBRARY"),
                ("Serilog.Sinks.Console", "LIBRARY"),
                ("Shared.Lib", "LIBRARY"),
                ("Microsoft.AspNetCore.App", "FRAMEWORK"),
                ("Microsoft.NETCore.App", "FRAMEWORK"),
                ("mcr.microsoft.com/dotnet/aspnet:10.0", "CONTAINER"),
            ],
            Document["packages"]!.AsArray().Select(p => (p!["name"]!.GetValue<string>(), p["primaryPackagePurpose"]!.GetValue<string>())));
    }

    [Fact]
    public void A_nuget_package_has_its_version_hash_purl_and_declared_license()
    {
        var package = Package("Newtonsoft.Json");

        Assert.Equal("13.0.3", package["versionInfo"]!.GetValue<string>());
        Assert.Equal("NOASSERTION", package["downloadLocation"]!.GetValue<string>());
        Assert.False(package["filesAnalyzed"]!.GetValue<bool>());
        var checksum = Assert.Single(package["checksums"]!.AsArray());
        Assert.Equal("SHA512", checksum!["algorithm"]!.GetValue<string>());
        Assert.Equal(SbomFixtures.DepsJsonSha512Hex(SbomFixtures.WebAppDepsJson, "Newtonsoft.Json/13.0.3"), checksum["checksumValue"]!.GetValue<string>());
        var reference = Assert.Single(package["externalRefs"]!.AsArray());
        Assert.Equal(("PACKAGE-MANAGER", "purl", "pkg:nuget/Newtonsoft.Json@13.0.3"),
            (reference!["referenceCategory"]!.GetValue<string>(), reference["referenceType"]!.GetValue<string>(), reference["referenceLocator"]!.GetValue<string>()));
        Assert.Equal("MIT", package["licenseDeclared"]!.GetValue<string>());
        Assert.Equal("NOASSERTION", package["licenseConcluded"]!.GetValue<string>());
        Assert.Equal("NOASSERTION", package["copyrightText"]!.GetValue<string>());
        Assert.Equal("NOASSERTION", Package("Serilog")["licenseDeclared"]!.GetValue<string>());
        Assert.Equal("NOASSERTION", Package("Serilog.Sinks.Console")["licenseDeclared"]!.GetValue<string>());
    }

    [Fact]
    public void The_image_and_its_base_have_their_digests_and_oci_purls()
    {
        var image = Package("registry.example.com/team/webapp");
        var baseImage = Package("mcr.microsoft.com/dotnet/aspnet:10.0");

        Assert.Equal(SbomFixtures.ImageDigest.Hex, image["checksums"]![0]!["checksumValue"]!.GetValue<string>());
        Assert.Equal("SHA256", image["checksums"]![0]!["algorithm"]!.GetValue<string>());
        Assert.Equal($"pkg:oci/webapp@sha256%3A{SbomFixtures.ImageDigest.Hex}?arch=amd64&repository_url=registry.example.com/team/webapp",
            image["externalRefs"]![0]!["referenceLocator"]!.GetValue<string>());
        Assert.Equal("2024-05-06T05:08:09Z", image["builtDate"]!.GetValue<string>());
        Assert.Equal(SbomFixtures.AspNetDigest.Hex, baseImage["checksums"]![0]!["checksumValue"]!.GetValue<string>());
        Assert.Equal(SbomFixtures.AspNetDigest.ToString(), baseImage["versionInfo"]!.GetValue<string>());
        Assert.Equal($"pkg:oci/aspnet@sha256%3A{SbomFixtures.AspNetDigest.Hex}?arch=amd64&repository_url=mcr.microsoft.com/dotnet/aspnet&tag=10.0",
            baseImage["externalRefs"]![0]!["referenceLocator"]!.GetValue<string>());
    }

    [Fact]
    public void Relationships_describe_the_image_its_app_its_base_and_the_dependency_graph()
    {
        var relationships = Relationships(Document).ToList();

        Assert.Equal(("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image"), relationships[0]);
        Assert.Contains(("SPDXRef-Image", "CONTAINS", Id("WebApp")), relationships);
        Assert.Contains(("SPDXRef-Image", "DESCENDANT_OF", "SPDXRef-BaseImage"), relationships);
        Assert.Equal(
            new[] { "Microsoft.AspNetCore.App", "Microsoft.NETCore.App", "Newtonsoft.Json", "Serilog.Sinks.Console", "Shared.Lib" }.Select(Id).Order(StringComparer.Ordinal),
            relationships.Where(r => r.From == Id("WebApp") && r.Type == "DEPENDS_ON").Select(r => r.To));
        Assert.Contains((Id("Serilog.Sinks.Console"), "DEPENDS_ON", Id("Serilog")), relationships);
        Assert.Contains((Id("Shared.Lib"), "DEPENDS_ON", Id("Newtonsoft.Json")), relationships);
        Assert.Equal(relationships.Count, relationships.Distinct().Count());
    }

    [Fact]
    public void Every_spdx_id_is_valid_unique_and_every_relationship_names_one()
    {
        foreach (var document in new[] { Document, SbomFixtures.Parse(SpdxDocument.Write(SbomFixtures.SelfContained())) })
        {
            var ids = document["packages"]!.AsArray().Select(p => p!["SPDXID"]!.GetValue<string>()).ToList();
            Assert.All(ids, id => Assert.Matches("^SPDXRef-[A-Za-z0-9.-]+$", id));
            Assert.Equal(ids.Count, ids.Distinct().Count());
            var known = ids.Append("SPDXRef-DOCUMENT").ToHashSet();
            Assert.All(Relationships(document), r => Assert.True(known.Contains(r.From) && known.Contains(r.To), $"{r} names an unknown element"));
        }
    }

    [Fact]
    public void Ids_that_sanitize_alike_are_told_apart_the_same_way_every_time()
    {
        using var directory = new TempDirectory();
        var path = directory.WriteFile("App.deps.json", """
            {
              "runtimeTarget": { "name": ".NETCoreApp,Version=v10.0" },
              "targets": { ".NETCoreApp,Version=v10.0": {
                "App/1.0.0": { "dependencies": { "Foo_Bar": "1.0.0", "Foo-Bar": "1.0.0" } },
                "Foo_Bar/1.0.0": {}, "Foo-Bar/1.0.0": {}
              } },
              "libraries": {
                "App/1.0.0": { "type": "project" },
                "Foo_Bar/1.0.0": { "type": "package" },
                "Foo-Bar/1.0.0": { "type": "package" }
              }
            }
            """);
        var input = SbomFixtures.FrameworkDependent() with { App = new SbomApp("App", "1.0.0"), DepsJsonPath = path, RuntimeConfigPath = null };
        var document = SbomFixtures.Parse(SpdxDocument.Write(input));

        var ids = document["packages"]!.AsArray().Where(p => p!["name"]!.GetValue<string>().StartsWith("Foo", StringComparison.Ordinal))
            .Select(p => (p!["name"]!.GetValue<string>(), p["SPDXID"]!.GetValue<string>()));
        // Sorted ordinally, '-' comes before '_': Foo-Bar gets the plain id.
        Assert.Equal([("Foo-Bar", "SPDXRef-Package-Foo-Bar-1.0.0"), ("Foo_Bar", "SPDXRef-Package-Foo-Bar-1.0.0-2")], ids);
        Assert.Equal(SpdxDocument.Write(input), SpdxDocument.Write(input));
    }

    [Fact]
    public void The_same_input_is_the_same_bytes_and_another_image_another_namespace()
    {
        var first = SpdxDocument.Write(SbomFixtures.FrameworkDependent());
        var second = SpdxDocument.Write(SbomFixtures.FrameworkDependent());
        var other = SbomFixtures.Parse(SpdxDocument.Write(SbomFixtures.FrameworkDependent(SbomFixtures.OtherImageDigest)));

        Assert.Equal(first, second);
        Assert.NotEqual(Document["documentNamespace"]!.GetValue<string>(), other["documentNamespace"]!.GetValue<string>());
        Assert.EndsWith(SbomFixtures.OtherImageDigest.Hex, other["documentNamespace"]!.GetValue<string>());
    }

    [Fact]
    public void A_local_image_is_named_by_the_app_and_has_no_purl()
    {
        var document = SbomFixtures.Parse(SpdxDocument.Write(SbomFixtures.SelfContained()));
        var image = document["packages"]![0]!;

        Assert.Equal("SelfContainedApp", image["name"]!.GetValue<string>());
        Assert.Null(image["externalRefs"]);
        Assert.Equal($"https://containers.build/spdx/SelfContainedApp/{SbomFixtures.ImageDigest.Hex}", document["documentNamespace"]!.GetValue<string>());
        var runtime = document["packages"]!.AsArray().Single(p => p!["primaryPackagePurpose"]!.GetValue<string>() == "FRAMEWORK")!;
        Assert.Equal("pkg:nuget/Microsoft.NETCore.App.Runtime.linux-x64@10.0.12", runtime["externalRefs"]![0]!["referenceLocator"]!.GetValue<string>());
    }
}
