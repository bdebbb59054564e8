using Containers.Build.Model;
using Containers.Build.SupplyChain;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.SupplyChain;

public class SoftwareInventoryTests
{
    [Fact]
    public void A_framework_dependent_app_has_its_packages_projects_and_the_base_images_shared_frameworks()
    {
        var inventory = SoftwareInventory.Take(SbomFixtures.FrameworkDependent());

        Assert.Equal(
            [
                (ComponentRole.Package, "Newtonsoft.Json", "13.0.3", "pkg:nuget/Newtonsoft.Json@13.0.3"),
                (ComponentRole.Package, "Serilog", "4.0.0", "pkg:nuget/Serilog@4.0.0"),
                (ComponentRole.Package, "Serilog.Sinks.Console", "6.1.1", "pkg:nuget/Serilog.Sinks.Console@6.1.1"),
                (ComponentRole.ProjectReference, "Shared.Lib", "1.2.0", null),
                // The runtimeconfig.json asks for 10.0.0 or later; the aspnet base says it installs 10.0.12.
                (ComponentRole.Runtime, "Microsoft.AspNetCore.App", "10.0.12", "pkg:generic/dotnet/Microsoft.AspNetCore.App@10.0.12"),
                (ComponentRole.Runtime, "Microsoft.NETCore.App", "10.0.12", "pkg:generic/dotnet/Microsoft.NETCore.App@10.0.12"),
            ],
            inventory.Libraries.Select(c => (c.Role, c.Name, c.Version, c.Purl)));
        Assert.Equal(("WebApp", "2.3.1"), (inventory.Application.Name, inventory.Application.Version));
    }

    [Fact]
    public void Package_hashes_are_the_deps_json_sha512_in_hex()
    {
        var inventory = SoftwareInventory.Take(SbomFixtures.FrameworkDependent());

        foreach (var package in inventory.Libraries.Where(c => c.Role == ComponentRole.Package))
        {
            var expected = SbomFixtures.DepsJsonSha512Hex(SbomFixtures.WebAppDepsJson, $"{package.Name}/{package.Version}");
            Assert.Equal(expected, package.Sha512Hex);
            Assert.Matches("^[0-9a-f]{128}$", package.Sha512Hex!);
        }
        Assert.Equal(
            "1eb0b9057765d3420ff73795fb467ce3c4163c0a02afd3f76c311982e23e8242dc04a00ec62c7fb4b1000070be52f0cd3efe1ad9dd7c94e45e1cc39a80f6becd",
            inventory.Libraries.Single(c => c.Name == "Newtonsoft.Json").Sha512Hex);
    }

    [Fact]
    public void Dependencies_follow_deps_json_from_the_app_down_to_the_runtime()
    {
        var inventory = SoftwareInventory.Take(SbomFixtures.FrameworkDependent());
        string Key(string name) => inventory.All.Single(c => c.Name == name).Key;

        Assert.Equal(
            new[] { "Microsoft.AspNetCore.App", "Microsoft.NETCore.App", "Newtonsoft.Json", "Serilog.Sinks.Console", "Shared.Lib" }.Select(Key).Order(StringComparer.Ordinal),
            inventory.DependsOn[inventory.Application.Key]);
        Assert.Equal([Key("Serilog")], inventory.DependsOn[Key("Serilog.Sinks.Console")]);
        Assert.Equal([Key("Newtonsoft.Json")], inventory.DependsOn[Key("Shared.Lib")]);
        Assert.Empty(inventory.DependsOn[Key("Serilog")]);
        Assert.Empty(inventory.DependsOn[Key("Microsoft.NETCore.App")]);
    }

    [Fact]
    public void Licenses_come_only_from_license_expressions()
    {
        var inventory = SoftwareInventory.Take(SbomFixtures.FrameworkDependent());
        string? License(string name) => inventory.Libraries.Single(c => c.Name == name).License;

        Assert.Equal("MIT", License("Newtonsoft.Json"));
        Assert.Null(License("Serilog"));                 // <license type="file">
        Assert.Null(License("Serilog.Sinks.Console"));   // only a licenseUrl
        Assert.Equal("Apache-2.0 OR MIT", SoftwareInventory.Take(SbomFixtures.SelfContained()).Libraries.Single(c => c.Name == "Serilog").License);
        Assert.All(SoftwareInventory.Take(SbomFixtures.FrameworkDependent() with { NuGetPackageRoot = null }).Libraries, c => Assert.Null(c.License));
    }

    [Fact]
    public void A_self_contained_app_runs_on_its_runtime_pack_whatever_the_base_says()
    {
        var input = SbomFixtures.SelfContained() with
        {
            BaseEnvironment = new Dictionary<string, string> { ["DOTNET_VERSION"] = "9.0.1" },
        };
        var inventory = SoftwareInventory.Take(input);

        var runtime = Assert.Single(inventory.Libraries, c => c.Role == ComponentRole.Runtime);
        Assert.Equal(("Microsoft.NETCore.App.Runtime.linux-x64", "10.0.12", "pkg:nuget/Microsoft.NETCore.App.Runtime.linux-x64@10.0.12"), (runtime.Name, runtime.Version, runtime.Purl));
        Assert.Equal([runtime.Key, "pkg:nuget/Serilog@4.4.0"], inventory.DependsOn[inventory.Application.Key]);
    }

    [Fact]
    public void Without_a_version_in_the_base_environment_the_runtime_is_the_version_the_app_asks_for()
    {
        var input = SbomFixtures.FrameworkDependent() with
        {
            BaseEnvironment = new Dictionary<string, string> { ["DOTNET_VERSION"] = "8.0.11" },
        };
        var runtimes = SoftwareInventory.Take(input).Libraries.Where(c => c.Role == ComponentRole.Runtime);

        // 8.0.11 cannot run a net10.0 app: the base does not provide what the app runs on, so the lowest version it accepts is named.
        Assert.Equal([("Microsoft.AspNetCore.App", "10.0.0"), ("Microsoft.NETCore.App", "10.0.0")], runtimes.Select(r => (r.Name, r.Version!)));
    }

    [Fact]
    public void Without_a_deps_json_there_is_the_app_the_image_and_the_base()
    {
        var input = SbomFixtures.FrameworkDependent() with { DepsJsonPath = "/nonexistent/App.deps.json", RuntimeConfigPath = null };
        var inventory = SoftwareInventory.Take(input);

        Assert.Empty(inventory.Libraries);
        Assert.Equal([ComponentRole.Image, ComponentRole.Application, ComponentRole.BaseImage], inventory.All.Select(c => c.Role));
        Assert.Empty(inventory.DependsOn[inventory.Application.Key]);
    }

    [Fact]
    public void A_scratch_image_has_no_base()
    {
        var inventory = SoftwareInventory.Take(SbomFixtures.SelfContained() with { BaseImage = BaseImageIdentity.Scratch });

        Assert.Null(inventory.BaseImage);
        Assert.DoesNotContain(inventory.All, c => c.Role == ComponentRole.BaseImage);
    }

    [Fact]
    public void The_app_is_found_by_name_and_else_as_the_first_project()
    {
        var byName = SoftwareInventory.Take(SbomFixtures.FrameworkDependent());
        var renamed = SoftwareInventory.Take(SbomFixtures.FrameworkDependent() with { App = new SbomApp("Web Front End", "2.3.1") });

        Assert.DoesNotContain(byName.Libraries, c => c.Name == "WebApp");
        Assert.DoesNotContain(renamed.Libraries, c => c.Name == "WebApp");
        Assert.Equal(byName.DependsOn[byName.Application.Key], renamed.DependsOn[renamed.Application.Key]);
    }

    [Fact]
    public void A_deps_json_that_is_not_one_is_an_error_that_names_the_file()
    {
        using var directory = new TempDirectory();
        var path = directory.WriteFile("App.deps.json", "{ \"targets\": ");

        var error = Assert.Throws<SbomSourceException>(() => SoftwareInventory.Take(SbomFixtures.FrameworkDependent() with { DepsJsonPath = path }));
        Assert.Equal(path, error.Path);
    }

    [Fact]
    public void Dependencies_match_library_names_ignoring_case()
    {
        using var directory = new TempDirectory();
        var path = directory.WriteFile("App.deps.json", """
            {
              "runtimeTarget": { "name": ".NETCoreApp,Version=v10.0" },
              "targets": { ".NETCoreApp,Version=v10.0": {
                "App/1.0.0": { "dependencies": { "A.Package": "1.0.0" } },
                "A.Package/1.0.0": { "dependencies": { "system.memory": "4.5.5", "Compile.Only": "1.0.0" } },
                "System.Memory/4.5.5": {}
              } },
              "libraries": {
                "App/1.0.0": { "type": "project", "sha512": "" },
                "A.Package/1.0.0": { "type": "package", "sha512": "not base64" },
                "System.Memory/4.5.5": { "type": "package", "sha512": "" }
              }
            }
            """);
        var inventory = SoftwareInventory.Take(SbomFixtures.FrameworkDependent() with { App = new SbomApp("App", "1.0.0"), DepsJsonPath = path, RuntimeConfigPath = null });

        Assert.Equal(["pkg:nuget/System.Memory@4.5.5"], inventory.DependsOn["pkg:nuget/A.Package@1.0.0"]);
        Assert.All(inventory.Libraries, c => Assert.Null(c.Sha512Hex));
    }

    [Fact]
    public void Nuspec_licenses_are_read_whatever_the_namespace()
    {
        foreach (var ns in new[] { "", " xmlns=\"http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd\"", " xmlns=\"http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd\"" })
        {
            var nuspec = System.Xml.Linq.XDocument.Parse($"<package{ns}><metadata><id>X</id><license type=\"expression\"> MIT OR Apache-2.0 </license></metadata></package>");
            Assert.Equal("MIT OR Apache-2.0", NuspecLicense.ExpressionIn(nuspec));
        }
        Assert.Null(NuspecLicense.ExpressionIn(System.Xml.Linq.XDocument.Parse("<package><metadata><license>MIT</license></metadata></package>")));
    }

    [Fact]
    public void A_broken_nuspec_is_no_license_rather_than_a_failure()
    {
        using var directory = new TempDirectory();
        directory.WriteFile("newtonsoft.json/13.0.3/newtonsoft.json.nuspec", "<package><metadata><license type=\"expression\">MIT");
        directory.WriteFile("serilog/4.0.0/serilog.nuspec", "<!DOCTYPE package [<!ENTITY x \"MIT\">]><package><metadata><license type=\"expression\">&x;</license></metadata></package>");

        Assert.Null(NuspecLicense.Expression(directory.Path, "Newtonsoft.Json", "13.0.3"));
        Assert.Null(NuspecLicense.Expression(directory.Path, "Serilog", "4.0.0"));
    }

    [Fact]
    public void Image_digests_are_kept_for_the_image_and_its_base()
    {
        var inventory = SoftwareInventory.Take(SbomFixtures.FrameworkDependent());

        Assert.Equal(SbomFixtures.ImageDigest, inventory.Image.Digest);
        Assert.Equal(SbomFixtures.AspNetDigest, inventory.BaseImage!.Digest);
        Assert.Equal(SbomFixtures.AspNetDigest.ToString(), inventory.BaseImage.Version);
        Assert.IsType<Digest>(inventory.Image.Digest);
    }
}
