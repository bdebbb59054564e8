using System.Text.Json.Nodes;
using Containers.Build.SupplyChain;

namespace Containers.Build.Tests.SupplyChain;

public class CycloneDxDocumentTests
{
    private static readonly JsonObject Document = SbomFixtures.Parse(CycloneDxDocument.Write(SbomFixtures.FrameworkDependent()));

    private static JsonObject Component(string name) => Document["components"]!.AsArray().Cast<JsonObject>().Single(c => c["name"]!.GetValue<string>() == name);

    private static string Ref(string name) => Component(name)["bom-ref"]!.GetValue<string>();

    private static Dictionary<string, List<string>> Dependencies(JsonObject document)
        => document["dependencies"]!.AsArray().ToDictionary(
            d => d!["ref"]!.GetValue<string>(),
            d => d!["dependsOn"]!.AsArray().Select(x => x!.GetValue<string>()).ToList());

    [Fact]
    public void The_document_is_cyclonedx_1_6_about_the_image()
    {
        Assert.Equal("CycloneDX", Document["bomFormat"]!.GetValue<string>());
        Assert.Equal("1.6", Document["specVersion"]!.GetValue<string>());
        Assert.Equal(1, Document["version"]!.GetValue<int>());
        Assert.Matches("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", Document["serialNumber"]!.GetValue<string>());
        var metadata = Document["metadata"]!;
        Assert.Equal("2024-05-06T05:08:09Z", metadata["timestamp"]!.GetValue<string>());
        var tool = Assert.Single(metadata["tools"]!["components"]!.AsArray())!;
        Assert.Equal(("application", "Containers.Build", "1.2.3-test"), (tool["type"]!.GetValue<string>(), tool["name"]!.GetValue<string>(), tool["version"]!.GetValue<string>()));
        var image = metadata["component"]!;
        Assert.Equal("container", image["type"]!.GetValue<string>());
        Assert.Equal("registry.example.com/team/webapp", image["name"]!.GetValue<string>());
        Assert.Equal($"pkg:oci/webapp@sha256%3A{SbomFixtures.ImageDigest.Hex}?arch=amd64&repository_url=registry.example.com/team/webapp", image["purl"]!.GetValue<string>());
        Assert.Equal(image["purl"]!.GetValue<string>(), image["bom-ref"]!.GetValue<string>());
        Assert.Equal(SbomFixtures.ImageDigest.Hex, image["hashes"]![0]!["content"]!.GetValue<string>());
    }

    [Fact]
    public void Components_are_the_app_its_libraries_the_runtime_and_the_base()
    {
        Assert.Equal(
            [
                ("WebApp", "application"),
                ("Newtonsoft.Json", "library"),
                ("Serilog", "library"),
                ("Serilog.Sinks.Console", "library"),
                ("Shared.Lib", "library"),
                ("Microsoft.AspNetCore.App", "framework"),
                ("Microsoft.NETCore.App", "framework"),
                ("mcr.microsoft.com/dotnet/aspnet:10.0", "container"),
            ],
            Document["components"]!.AsArray().Select(c => (c!["name"]!.GetValue<string>(), c["type"]!.GetValue<string>())));
        var baseImage = Component("mcr.microsoft.com/dotnet/aspnet:10.0");
        Assert.Equal($"pkg:oci/aspnet@sha256%3A{SbomFixtures.AspNetDigest.Hex}?arch=amd64&repository_url=mcr.microsoft.com/dotnet/aspnet&tag=10.0", baseImage["purl"]!.GetValue<string>());
        Assert.Equal(("SHA-256", SbomFixtures.AspNetDigest.Hex), (baseImage["hashes"]![0]!["alg"]!.GetValue<string>(), baseImage["hashes"]![0]!["content"]!.GetValue<string>()));
        Assert.Equal("10.0.12", Component("Microsoft.NETCore.App")["version"]!.GetValue<string>());
    }

    [Fact]
    public void A_package_is_referenced_by_its_purl_with_its_hash_and_license()
    {
        var package = Component("Newtonsoft.Json");

        Assert.Equal("pkg:nuget/Newtonsoft.Json@13.0.3", package["bom-ref"]!.GetValue<string>());
        Assert.Equal("pkg:nuget/Newtonsoft.Json@13.0.3", package["purl"]!.GetValue<string>());
        Assert.Equal("13.0.3", package["version"]!.GetValue<string>());
        var hash = Assert.Single(package["hashes"]!.AsArray())!;
        Assert.Equal(("SHA-512", SbomFixtures.DepsJsonSha512Hex(SbomFixtures.WebAppDepsJson, "Newtonsoft.Json/13.0.3")), (hash["alg"]!.GetValue<string>(), hash["content"]!.GetValue<string>()));
        Assert.Equal("MIT", Assert.Single(package["licenses"]!.AsArray())!["expression"]!.GetValue<string>());
        Assert.Null(Component("Serilog")["licenses"]);
        Assert.Null(Component("Shared.Lib")["purl"]);
    }

    [Fact]
    public void Every_component_is_in_the_dependencies_with_what_it_depends_on_sorted()
    {
        var dependencies = Dependencies(Document);
        var refs = Document["components"]!.AsArray().Select(c => c!["bom-ref"]!.GetValue<string>())
            .Prepend(Document["metadata"]!["component"]!["bom-ref"]!.GetValue<string>())
            .ToList();

        Assert.Equal(refs.Count, refs.Distinct().Count());
        Assert.Equal(refs.Order(StringComparer.Ordinal), dependencies.Keys);
        Assert.All(dependencies.Values, d => Assert.Equal(d.Order(StringComparer.Ordinal), d));
        Assert.All(dependencies.Values.SelectMany(d => d), r => Assert.Contains(r, refs));
        Assert.Equal(new[] { Ref("WebApp"), Ref("mcr.microsoft.com/dotnet/aspnet:10.0") }.Order(StringComparer.Ordinal), dependencies[refs[0]]);
        Assert.Equal(
            new[] { "Microsoft.AspNetCore.App", "Microsoft.NETCore.App", "Newtonsoft.Json", "Serilog.Sinks.Console", "Shared.Lib" }.Select(Ref).Order(StringComparer.Ordinal),
            dependencies[Ref("WebApp")]);
        Assert.Equal([Ref("Serilog")], dependencies[Ref("Serilog.Sinks.Console")]);
        Assert.Empty(dependencies[Ref("Serilog")]);
    }

    [Fact]
    public void The_same_input_is_the_same_bytes_and_another_image_another_serial_number()
    {
        var other = SbomFixtures.Parse(CycloneDxDocument.Write(SbomFixtures.FrameworkDependent(SbomFixtures.OtherImageDigest)));

        Assert.Equal(CycloneDxDocument.Write(SbomFixtures.FrameworkDependent()), CycloneDxDocument.Write(SbomFixtures.FrameworkDependent()));
        Assert.NotEqual(Document["serialNumber"]!.GetValue<string>(), other["serialNumber"]!.GetValue<string>());
        Assert.Equal(CycloneDxDocument.SerialNumber(SbomFixtures.ImageDigest), Document["serialNumber"]!.GetValue<string>());
    }

    [Fact]
    public void Serial_numbers_are_version_5_uuids()
    {
        // Python's documented example: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org').
        Assert.Equal("886313e1-3b8a-5372-9b90-0c9aee199e5d", NameBasedUuid.Create(new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "python.org"));
    }

    [Fact]
    public void A_self_contained_image_has_its_runtime_pack_and_a_local_image_no_purl()
    {
        var document = SbomFixtures.Parse(CycloneDxDocument.Write(SbomFixtures.SelfContained()));
        var image = document["metadata"]!["component"]!;

        Assert.Null(image["purl"]);
        Assert.Equal($"image:SelfContainedApp@{SbomFixtures.ImageDigest}", image["bom-ref"]!.GetValue<string>());
        var runtime = document["components"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "framework")!;
        Assert.Equal("pkg:nuget/Microsoft.NETCore.App.Runtime.linux-x64@10.0.12", runtime["purl"]!.GetValue<string>());
        Assert.Equal("Apache-2.0 OR MIT", document["components"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "Serilog")!["licenses"]![0]!["expression"]!.GetValue<string>());
    }
}
