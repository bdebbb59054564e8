using Containers.Build.Publishing.Join;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Containers.Build.Tests.Tasks;

/// <summary>
/// JoinImage's settings (which images, where the index goes) and ContainerPublishUntagged's rules: every wrong input a
/// coded CB1xxx error naming the property and the fix, found before anything is read or sent.
/// </summary>
public class JoinContainerImageTaskTests : IDisposable
{
    private static readonly string Digest = "sha256:" + new string('a', 64);
    private readonly TempDirectory _work = new("cb-join-settings");
    private readonly FakeBuildEngine _engine = new();

    public void Dispose() => _work.Dispose();

    private ImageRequestParser.Inputs Settings => new()
    {
        Registry = "127.0.0.1:5000",
        AssemblyName = "WebApp",
        ContentStoreDirectory = _work.Combine("store"),
    };

    private static JoinRequest Parse(ImageRequestParser.Inputs inputs, params string[] entries) => ImageRequestParser.ParseJoin(inputs, null, entries, _ => { });

    private static ContainersBuildException Fails(Action parse) => Assert.Throws<ContainersBuildException>(parse);

    [Fact]
    public void Each_entry_is_an_image_by_digest_a_facts_file_or_an_oci_layout_and_the_index_goes_where_PublishImage_would_push()
    {
        var layout = Directory.CreateDirectory(_work.Combine("layout")).FullName;
        var facts = _work.WriteFile("facts/linux-x64/container-image.json", "{}");
        var request = Parse(Settings with { Repository = "team/app", ImageTags = "1.0;latest" },
            $"registry.example.com/team/app@{Digest}", facts, _work.Combine("not-yet-downloaded.json"), layout,
            $"oci:{layout}", $"oci:{layout}:v1", $"oci:{layout}@{Digest}", $"oci:{layout}:v1@{Digest}");

        Assert.Equal("127.0.0.1:5000", request.Registry.ToString());
        Assert.Equal("team/app", request.Repository);
        Assert.Equal(["1.0", "latest"], request.Tags);
        Assert.Equal(_work.Combine("store"), request.ContentStoreDirectory);
        var registry = Assert.IsType<RegistryJoinSource>(request.Sources[0]);
        Assert.Equal($"registry.example.com/team/app@{Digest}", registry.Reference.ToString());
        Assert.Equal(facts, Assert.IsType<FactsJoinSource>(request.Sources[1]).Path);
        Assert.IsType<FactsJoinSource>(request.Sources[2]);
        Assert.Equal(new LayoutJoinSource(layout, layout, null, null), request.Sources[3]);
        Assert.Equal(new LayoutJoinSource($"oci:{layout}", layout, null, null), request.Sources[4]);
        Assert.Equal(new LayoutJoinSource($"oci:{layout}:v1", layout, "v1", null), request.Sources[5]);
        Assert.Equal(Digest, ((LayoutJoinSource)request.Sources[6]).Digest!.ToString());
        // A digest wins over a tag: it pins the content.
        Assert.Null(((LayoutJoinSource)request.Sources[7]).Tag);

        // The repository is made from the assembly, as PublishImage makes it; the tag is latest.
        var defaults = Parse(Settings, $"127.0.0.1:5000/webapp@{Digest}");
        Assert.Equal("webapp", defaults.Repository);
        Assert.Equal(["latest"], defaults.Tags);
    }

    [Theory]
    [InlineData("127.0.0.1:5000/team/app:1.0", "names its image by tag (1.0)")]
    [InlineData("127.0.0.1:5000/team/app", "names its image by tag (latest)")]
    [InlineData("https://127.0.0.1:5000/team/app", "is not an image by digest, a facts file or an OCI layout")]
    [InlineData("docker-archive:out/app.tar", "is in an archive (docker-archive:)")]
    [InlineData("containers-storage:localhost/app:1", "is in a local engine (containers-storage:)")]
    [InlineData("oci:", "names no directory")]
    [InlineData("oci:layout:", "names no tag")]
    [InlineData("oci:layout@latest", "'latest' after '@', which is not a sha256 digest")]
    public void An_entry_that_is_not_an_image_by_digest_a_facts_file_or_a_layout_is_CB1047(string entry, string message)
    {
        var error = Fails(() => Parse(Settings, entry));
        Assert.Equal(DiagnosticCodes.JoinImageInvalid, error.Code);
        Assert.Contains($"'{entry}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_entries_and_no_registry_are_settings_errors_that_name_the_property()
    {
        var none = Fails(() => Parse(Settings, " ", ""));
        Assert.Equal(DiagnosticCodes.JoinImagesMissing, none.Code);
        Assert.Contains("ContainerJoinImages", none.Message, StringComparison.Ordinal);

        var unmatched = Fails(() => ImageRequestParser.ParseJoin(Settings, "facts/*/container-image.json", [], _ => { }));
        Assert.Equal(DiagnosticCodes.JoinImagesMissing, unmatched.Code);
        Assert.Contains("ContainerJoinImages 'facts/*/container-image.json' names no image: its wildcards matched no file", unmatched.Message, StringComparison.Ordinal);

        var noRegistry = Fails(() => Parse(Settings with { Registry = "" }, $"127.0.0.1:5000/webapp@{Digest}"));
        Assert.Equal(DiagnosticCodes.JoinRegistryInvalid, noRegistry.Code);
        Assert.Contains("ContainerRegistry is not set", noRegistry.Message, StringComparison.Ordinal);

        var several = Fails(() => Parse(Settings with { Registry = "127.0.0.1:5000;registry.example.com" }, $"127.0.0.1:5000/webapp@{Digest}"));
        Assert.Equal(DiagnosticCodes.JoinRegistryInvalid, several.Code);
        Assert.Contains("ContainerRegistry lists 2 (127.0.0.1:5000, registry.example.com). Run JoinImage once for each registry", several.Message, StringComparison.Ordinal);

        Assert.Equal(DiagnosticCodes.TagInvalid, Fails(() => Parse(Settings with { ImageTags = "bad tag" }, $"127.0.0.1:5000/webapp@{Digest}")).Code);
    }

    [Fact]
    public void A_facts_file_that_is_missing_not_json_or_names_no_registry_is_CB1048_from_the_task()
    {
        var notJson = _work.WriteFile("broken.json", "not json");
        var noRegistry = _work.WriteFile("archive-only.json", $$"""{"repository":"webapp","tags":["latest"],"manifestDigest":"{{Digest}}","destinations":[{"kind":"docker-archive","names":["webapp:latest"],"path":"/tmp/app.tar"}]}""");
        foreach (var (facts, message) in new[]
        {
            (_work.Combine("missing.json"), "missing.json does not exist"),
            (notJson, "broken.json cannot be read: The facts file is not valid JSON"),
            (noRegistry, $"archive-only.json records no registry that its image {Digest} was pushed to."),
        })
        {
            _engine.Errors.Clear();
            var settings = new SettingItems().Set("Registry", "127.0.0.1:1").Set("AssemblyName", "WebApp").Set("ContentStoreDirectory", _work.Combine("store"));
            var task = new JoinContainerImage { BuildEngine = _engine, Settings = settings.ToItems(), Images = [new TaskItem(facts)] };

            Assert.False(task.Execute());

            var error = Assert.Single(_engine.Errors);
            Assert.Equal(DiagnosticCodes.JoinFactsUnreadable, error.Code);
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
            Assert.Contains("ContainerJoinImages", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_registry_that_cannot_be_reached_keeps_its_own_code()
    {
        var task = new JoinContainerImage { BuildEngine = _engine, Registry = "127.0.0.1:1", AssemblyName = "App", ContentStoreDirectory = _work.Combine("store"), Images = [new TaskItem($"127.0.0.1:1/app@{Digest}")] };
        Assert.False(task.Execute());
        Assert.Equal(DiagnosticCodes.RegistryUnreachable, Assert.Single(_engine.Errors).Code);
    }

    private ImageRequestParser.Inputs Publish => new()
    {
        BaseImage = "127.0.0.1:5000/dotnet/aspnet:10.0",
        Registry = "127.0.0.1:5000",
        AssemblyName = "WebApp",
        ImageTags = "1.0;latest",
        PublishDirectory = _work.Path,
        AppCommand = ["dotnet", "/app/WebApp.dll"],
        PublishUntagged = "true",
    };

    [Fact]
    public void ContainerPublishUntagged_pushes_by_digest_only_to_a_registry_or_a_layout()
    {
        var request = ImageRequestParser.Parse(Publish, _ => { });
        Assert.Empty(request.Names.Tags);
        Assert.Equal("127.0.0.1:5000", request.Names.Registry!.ToString());
        Assert.Empty(ImageRequestParser.Parse(Publish with { Registry = "", OciLayoutPath = _work.Combine("layout") }, _ => { }).Names.Tags);
        Assert.Equal(["1.0", "latest"], ImageRequestParser.Parse(Publish with { PublishUntagged = "false" }, _ => { }).Names.Tags);
        Assert.Equal(["1.0", "latest"], ImageRequestParser.Parse(Publish with { PublishUntagged = "" }, _ => { }).Names.Tags);
    }

    [Theory]
    [InlineData("yes", null, null, false, "ContainerPublishUntagged 'yes' is not true or false")]
    [InlineData("true", "127.0.0.1:5000", null, true, "ContainerPublishPlatformTags=true would tag each platform's manifest")]
    [InlineData("true", "127.0.0.1:5000", "out/app.tar", false, "an archive (ContainerArchiveOutputPath) names its image by tag")]
    [InlineData("true", "", null, false, "neither is set: a local engine names its images by tag")]
    public void ContainerPublishUntagged_with_something_that_tags_is_CB1045_before_anything_compiles(string value, string? registry, string? archive, bool platformTags, string message)
    {
        var inputs = Publish with { PublishUntagged = value, Registry = registry, ArchiveOutputPath = archive, PlatformTags = platformTags };
        var error = Fails(() => ImageRequestParser.CheckSettings(inputs, ["linux-x64", "linux-arm64"], isMultiPlatform: true, _ => { }));
        Assert.Equal(DiagnosticCodes.PublishUntaggedInvalid, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);

        // The check the targets run first gets it from the settings item.
        var settings = new SettingItems()
            .Set("BaseImage", "127.0.0.1:5000/dotnet/aspnet:10.0")
            .Set("AssemblyName", "WebApp")
            .Set("PublishUntagged", value)
            .Set("Registry", registry ?? "127.0.0.1:5000")
            .Set("ArchiveOutputPath", archive ?? "")
            .Set("PublishPlatformTags", platformTags ? "true" : "false")
            .Set("RuntimeIdentifiers", "linux-x64;linux-arm64");
        Assert.False(new CheckContainerSettings { BuildEngine = _engine, Settings = settings.ToItems() }.Execute());
        Assert.Equal(DiagnosticCodes.PublishUntaggedInvalid, Assert.Single(_engine.Errors).Code);
    }
}
