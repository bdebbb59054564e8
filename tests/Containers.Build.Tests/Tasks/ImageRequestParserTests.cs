using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Publishing;
using Containers.Build.Publishing.Destinations;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Tasks;

public class ImageRequestParserTests : IDisposable
{
    private readonly TempDirectory _publish = new("cb-publish");

    public void Dispose() => _publish.Dispose();

    private ImageRequestParser.Inputs Valid => new()
    {
        BaseImage = "127.0.0.1:5000/dotnet/aspnet:10.0",
        Registry = "127.0.0.1:5000",
        AssemblyName = "WebApp",
        PublishDirectory = _publish.Path,
        AppCommand = ["dotnet", "/app/WebApp.dll"],
    };

    private static string CodeOf(ImageRequestParser.Inputs inputs)
        => Assert.Throws<ContainersBuildException>(() => ImageRequestParser.Parse(inputs, _ => { })).Code;

    [Fact]
    public void Valid_inputs_give_defaults_like_the_sdk()
    {
        var notes = new List<string>();
        var request = ImageRequestParser.Parse(Valid, notes.Add);

        Assert.Equal("webapp", request.Names.Repository);
        Assert.Equal(["latest"], request.Names.Tags);
        Assert.Equal("linux/amd64", Assert.Single(request.Platforms).Platform.ToString());
        Assert.Equal("/app", request.Settings.WorkingDirectory);
        Assert.Null(request.Settings.Format);
        Assert.Equal(DateTimeOffset.UnixEpoch, request.Settings.Created);
        Assert.Empty(notes);
    }

    [Fact]
    public void A_repository_name_changed_beyond_case_is_reported()
    {
        var notes = new List<string>();
        var request = ImageRequestParser.Parse(Valid with { AssemblyName = "Contoso.Web App" }, notes.Add);
        Assert.Equal("contoso-web-app", request.Names.Repository);
        Assert.Contains(notes, n => n.Contains("'contoso-web-app'", StringComparison.Ordinal) && n.Contains("ContainerRepository", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("team/", "team/webapp")]
    [InlineData("team", "team/webapp")]
    [InlineData(" org/team/ ", "org/team/webapp")]
    public void A_repository_prefix_goes_before_the_name_made_from_the_assembly(string prefix, string expected)
        => Assert.Equal(expected, ImageRequestParser.Parse(Valid with { RepositoryPrefix = prefix }, _ => { }).Names.Repository);

    [Fact]
    public void A_repository_prefix_leaves_a_chosen_repository_alone()
    {
        Assert.Equal("shop/api", ImageRequestParser.Parse(Valid with { RepositoryPrefix = "team/", Repository = "shop/api" }, _ => { }).Names.Repository);
        Assert.Equal("legacy", ImageRequestParser.Parse(Valid with { RepositoryPrefix = "team/", ImageName = "legacy" }, _ => { }).Names.Repository);
    }

    [Theory]
    [InlineData("Team/")]
    [InlineData("org//team/")]
    [InlineData("/")]
    [InlineData("-team")]
    public void A_repository_prefix_that_makes_no_valid_name_is_an_error_naming_it(string prefix)
    {
        var error = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.Parse(Valid with { RepositoryPrefix = prefix }, _ => { }));
        Assert.Equal(DiagnosticCodes.RepositoryPrefixInvalid, error.Code);
        Assert.Contains($"ContainerRepositoryPrefix '{prefix}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tags_list_and_source_date_epoch_are_honored()
    {
        var request = ImageRequestParser.Parse(Valid with { ImageTags = "1.0;latest; 1.0 ", SourceDateEpoch = "1700000000", WorkingDirectory = "/srv/app/" }, _ => { });
        Assert.Equal(["1.0", "latest"], request.Names.Tags);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), request.Settings.Created);
        // Written as given, as the SDK writes it.
        Assert.Equal("/srv/app/", request.Settings.WorkingDirectory);
    }

    [Fact]
    public void An_oci_base_image_is_a_layout_location_and_a_registry_one_stays_a_registry_location()
    {
        var layout = Assert.IsType<Containers.Build.Images.OciLayoutLocation>(ImageRequestParser.Parse(Valid with { BaseImage = "oci:/srv/layouts/base:1.4" }, _ => { }).BaseImage);
        Assert.Equal("/srv/layouts/base", layout.Directory);
        Assert.Equal("1.4", layout.Tag);
        Assert.Equal("oci:/srv/layouts/base:1.4", layout.Written);
        Assert.IsType<Containers.Build.Images.RegistryLocation>(ImageRequestParser.Parse(Valid, _ => { }).BaseImage);
    }

    [Theory]
    [InlineData(nameof(ImageRequestParser.Inputs.BaseImage), "", DiagnosticCodes.BaseImageMissing)]
    [InlineData(nameof(ImageRequestParser.Inputs.BaseImage), "mcr.microsoft.com:/x", DiagnosticCodes.BaseImageInvalid)]
    [InlineData(nameof(ImageRequestParser.Inputs.BaseImage), "mcr.microsoft.com/", DiagnosticCodes.BaseImageInvalid)]
    [InlineData(nameof(ImageRequestParser.Inputs.BaseImage), "oci:", DiagnosticCodes.BaseImageInvalid)]
    [InlineData(nameof(ImageRequestParser.Inputs.BaseImage), "oci:/layout:", DiagnosticCodes.BaseImageInvalid)]
    [InlineData(nameof(ImageRequestParser.Inputs.BaseImage), "containers-storage:", DiagnosticCodes.BaseImageInvalid)]
    [InlineData(nameof(ImageRequestParser.Inputs.LocalRegistry), "containerd", DiagnosticCodes.LocalRegistryInvalid)]
    [InlineData(nameof(ImageRequestParser.Inputs.Registry), "https://127.0.0.1:5000", DiagnosticCodes.RegistryInvalid)]
    [InlineData(nameof(ImageRequestParser.Inputs.Repository), "My App", DiagnosticCodes.RepositoryInvalid)]
    [InlineData(nameof(ImageRequestParser.Inputs.AssemblyName), "$runtime", DiagnosticCodes.RepositoryNotDerivable)]
    [InlineData(nameof(ImageRequestParser.Inputs.ImageTag), "bad tag", DiagnosticCodes.TagInvalid)]
    [InlineData(nameof(ImageRequestParser.Inputs.ImageTags), "ok;-bad", DiagnosticCodes.TagInvalid)]
    [InlineData(nameof(ImageRequestParser.Inputs.RuntimeIdentifier), "osx-arm64", DiagnosticCodes.RuntimeIdentifierUnsupported)]
    [InlineData(nameof(ImageRequestParser.Inputs.ImageFormat), "tarball", DiagnosticCodes.ImageFormatInvalid)]
    [InlineData(nameof(ImageRequestParser.Inputs.PublishDirectory), "/nonexistent/publish", DiagnosticCodes.PublishDirectoryMissing)]
    [InlineData(nameof(ImageRequestParser.Inputs.SourceDateEpoch), "yesterday", DiagnosticCodes.SourceDateEpochInvalid)]
    public void Each_invalid_input_has_its_code(string property, string value, string code)
    {
        var inputs = property switch
        {
            nameof(ImageRequestParser.Inputs.BaseImage) => Valid with { BaseImage = value },
            nameof(ImageRequestParser.Inputs.Registry) => Valid with { Registry = value },
            nameof(ImageRequestParser.Inputs.LocalRegistry) => Valid with { Registry = null, LocalRegistry = value },
            nameof(ImageRequestParser.Inputs.Repository) => Valid with { Repository = value },
            nameof(ImageRequestParser.Inputs.AssemblyName) => Valid with { AssemblyName = value },
            nameof(ImageRequestParser.Inputs.ImageTag) => Valid with { ImageTag = value },
            nameof(ImageRequestParser.Inputs.ImageTags) => Valid with { ImageTags = value },
            nameof(ImageRequestParser.Inputs.RuntimeIdentifier) => Valid with { RuntimeIdentifier = value },
            nameof(ImageRequestParser.Inputs.ImageFormat) => Valid with { ImageFormat = value },
            nameof(ImageRequestParser.Inputs.PublishDirectory) => Valid with { PublishDirectory = value },
            nameof(ImageRequestParser.Inputs.SourceDateEpoch) => Valid with { SourceDateEpoch = value },
            _ => throw new ArgumentOutOfRangeException(nameof(property)),
        };
        Assert.Equal(code, CodeOf(inputs));
    }

    [Fact]
    public void Registry_archive_and_layout_can_all_be_asked_for_at_once()
    {
        var request = ImageRequestParser.Parse(Valid with { ArchiveOutputPath = "/tmp/out/app.tar.gz", OciLayoutPath = "/tmp/layout" }, _ => { });
        Assert.Collection(request.Destinations,
            t => Assert.Equal("127.0.0.1:5000", Assert.IsType<RegistryDestination>(t).Registry.Value),
            t => Assert.Equal(new ArchiveDestination("/tmp/out/app.tar.gz", ArchiveFormat.Docker, true), t),
            t => Assert.Equal("/tmp/layout", Assert.IsType<OciLayoutDestination>(t).Directory));
        // An OCI layout holds an OCI image when no format was asked for.
        Assert.Equal(Containers.Build.Model.ImageFormat.Oci, request.Settings.Format);
    }

    [Theory]
    [InlineData("a.example.com;b.example.com:5000", new[] { "a.example.com", "b.example.com:5000" })]
    [InlineData(" b.example.com:5000 , a.example.com ", new[] { "b.example.com:5000", "a.example.com" })]
    [InlineData("a.example.com;b.example.com:5000,127.0.0.1:5000", new[] { "a.example.com", "b.example.com:5000", "127.0.0.1:5000" })]
    [InlineData("A.Example.com;a.example.com;b.example.com;a.example.com", new[] { "a.example.com", "b.example.com" })]
    [InlineData("docker.io;index.docker.io;registry-1.docker.io", new[] { "registry-1.docker.io" })]
    public void ContainerRegistry_lists_registries_in_order_once_each(string value, string[] expected)
    {
        var request = ImageRequestParser.Parse(Valid with { Registry = value, ArchiveOutputPath = "/tmp/out/app.tar" }, _ => { });

        Assert.Equal(expected, request.Destinations.OfType<RegistryDestination>().Select(d => d.Registry.Value));
        // The registries first, then the files.
        Assert.IsType<ArchiveDestination>(request.Destinations[^1]);
        Assert.Equal(expected.Length + 1, request.Destinations.Count);
        // Each is read from with its push client (its base layers mountable there).
        Assert.Equal(expected.ToHashSet(), request.PushRegistries.Select(r => r.Value).ToHashSet());
        // One name where one is wanted (an archive's full names, the SBOM's purls): the first registry's.
        Assert.Equal(expected[0], request.Names.Registry!.Value);
    }

    [Theory]
    [InlineData("a.example.com;;b.example.com", "ContainerRegistry 'a.example.com;;b.example.com' has an empty entry")]
    [InlineData("a.example.com;", "ContainerRegistry 'a.example.com;' has an empty entry")]
    [InlineData(",a.example.com", "ContainerRegistry ',a.example.com' has an empty entry")]
    [InlineData("a.example.com; ;b.example.com", "has an empty entry")]
    [InlineData("a.example.com;https://b.example.com", "ContainerRegistry entry 'https://b.example.com' is not a registry")]
    [InlineData("a.example.com,b.example.com:99999", "ContainerRegistry entry 'b.example.com:99999' is not a registry: the port '99999'")]
    [InlineData("https://a.example.com", "ContainerRegistry 'https://a.example.com' is not a registry: expected a host name")]
    public void A_bad_or_empty_ContainerRegistry_entry_is_CB1003_naming_it(string value, string text)
    {
        var error = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.Parse(Valid with { Registry = value }, _ => { }));
        Assert.Equal(DiagnosticCodes.RegistryInvalid, error.Code);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_no_destination_a_local_engine_is_used_with_an_archive_to_fall_back_on()
    {
        var request = ImageRequestParser.Parse(Valid with { Registry = null, OutputDirectory = "/tmp/bin", Repository = "team/app" }, _ => { });
        var target = Assert.IsType<LocalEngineDestination>(Assert.Single(request.Destinations));
        Assert.Null(target.Engine);
        Assert.Equal("/tmp/bin/team-app.tar", target.FallbackArchivePath);

        var podman = ImageRequestParser.Parse(Valid with { Registry = null, LocalRegistry = "Podman" }, _ => { });
        Assert.Equal(LocalEngine.Podman, Assert.IsType<LocalEngineDestination>(Assert.Single(podman.Destinations)).Engine);
    }

    [Theory]
    [InlineData("/out/app.tar", null, "/out/app.tar", ArchiveFormat.Docker, false)]
    [InlineData("/out/app.tar.gz", null, "/out/app.tar.gz", ArchiveFormat.Docker, true)]
    [InlineData("/out/app.oci.tar", null, "/out/app.oci.tar", ArchiveFormat.Oci, false)]
    [InlineData("/out/app.tar", "OCI", "/out/app.tar", ArchiveFormat.Oci, false)]
    [InlineData("/out/", null, "/out/webapp.tar", ArchiveFormat.Docker, false)]
    [InlineData("/out/", "OCI", "/out/webapp.oci.tar", ArchiveFormat.Oci, false)]
    public void Archive_paths_choose_name_format_and_compression(string path, string? format, string file, ArchiveFormat expectedFormat, bool gzip)
    {
        var parsedFormat = format is null ? (Containers.Build.Model.ImageFormat?)null : Containers.Build.Model.ImageFormat.Oci;
        Assert.Equal(new ArchiveDestination(file, expectedFormat, gzip), ImageRequestParser.ArchiveDestinationFor(path, parsedFormat, "webapp"));
    }

    [Fact]
    public void Tag_and_tags_together_are_an_error()
        => Assert.Equal(DiagnosticCodes.TagAndTagsBothSet, CodeOf(Valid with { ImageTag = "a", ImageTags = "b;c" }));

    [Theory]
    [InlineData("80", null, "80/tcp")]
    [InlineData("80/tcp", null, "80/tcp")]
    [InlineData("53", "udp", "53/udp")]
    [InlineData("53/UDP", null, "53/udp")]
    public void Valid_ports(string port, string? type, string expected)
        => Assert.Equal(expected, ImageRequestParser.ParsePort(port, type).ToString());

    [Theory]
    [InlineData("125/dup", "dup")]
    [InlineData("invalidNumber", "invalidNumber")]
    [InlineData("a/b/c", "more than one")]
    [InlineData("/tcp", "missing")]
    [InlineData("70000", "70000")]
    public void Invalid_ports_name_the_flaw(string port, string flaw)
    {
        var error = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.ParsePort(port, null));
        Assert.Equal(DiagnosticCodes.PortInvalid, error.Code);
        Assert.Contains(flaw, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("foo-bar")]
    [InlineData("1_NAME")]
    public void Invalid_environment_variable_names_are_errors(string name)
        => Assert.Equal(DiagnosticCodes.EnvironmentVariableInvalid, CodeOf(Valid with { Environment = [KeyValuePair.Create(name, "x")] }));

    [Fact]
    public void Container_runtime_identifiers_give_one_platform_each_published_as_an_index()
    {
        using var arm64 = new TempDirectory("cb-publish-arm64");
        var request = ImageRequestParser.Parse(Valid with
        {
            PublishDirectory = null,
            Platforms =
            [
                new PlatformInput("linux-x64", _publish.Path, [new Containers.Build.Layers.PublishItem("runtimes/linux-arm64/native/a.so", "Native", null, "linux-arm64")], []),
                new PlatformInput("linux-arm64", arm64.Path, [], ["wwwroot/site.css"]),
            ],
            PlatformTags = true,
        }, _ => { });
        Assert.True(request.IsMultiPlatform);
        Assert.Equal(["latest-linux-x64"], request.Names.PlatformTagsOf(request.Platforms[0].Platform));
        Assert.Equal(["latest-linux-arm64"], request.Names.PlatformTagsOf(request.Platforms[1].Platform));
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], request.Platforms.Select(p => p.Platform.ToString()));
        Assert.Equal(arm64.Path, request.Platforms[1].PublishDirectory);
        Assert.Equal(1, request.FilesLeftOut);
        Assert.Equal(Containers.Build.Layers.LayerKind.StaticWebAssets, request.Platforms[1].Classification.KindOf("wwwroot/site.css"));

        Assert.Null(request.Settings.Format);

        // An archive of several platforms is an OCI archive, with an OCI index, whatever the base's format.
        var archived = ImageRequestParser.Parse(Valid with
        {
            PublishDirectory = null,
            ArchiveOutputPath = Path.Combine(_publish.Path, "image.tar"),
            Platforms = [new PlatformInput("linux-x64", _publish.Path, [], []), new PlatformInput("linux-arm64", arm64.Path, [], [])],
        }, _ => { });
        Assert.Equal(Containers.Build.Model.ImageFormat.Oci, archived.Settings.Format);
        var docker = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.Parse(Valid with
        {
            PublishDirectory = null,
            ImageFormat = "Docker",
            ArchiveOutputPath = Path.Combine(_publish.Path, "image.tar"),
            Platforms = [new PlatformInput("linux-x64", _publish.Path, [], []), new PlatformInput("linux-arm64", arm64.Path, [], [])],
        }, _ => { }));
        Assert.Equal(DiagnosticCodes.ImageFormatInvalid, docker.Code);
        Assert.Contains("ContainerImageFormat=Docker", docker.Message, StringComparison.Ordinal);

        // Per-platform tags mean nothing for a single image.
        Assert.Empty(ImageRequestParser.Parse(Valid with { PlatformTags = true }, _ => { }).Names.PlatformTags);
    }

    [Theory]
    [InlineData("linux-x64", "linux-musl-x64", DiagnosticCodes.RuntimeIdentifiersInvalid)]
    [InlineData("linux-arm64", "linux-arm64", DiagnosticCodes.RuntimeIdentifiersInvalid)]
    [InlineData("linux-x64", "osx-arm64", DiagnosticCodes.RuntimeIdentifierUnsupported)]
    public void Runtime_identifiers_that_cannot_share_an_index_are_errors(string first, string second, string code)
    {
        using var other = new TempDirectory("cb-publish-other");
        var error = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.Parse(Valid with
        {
            Platforms = [new PlatformInput(first, _publish.Path, [], []), new PlatformInput(second, other.Path, [], [])],
        }, _ => { }));
        Assert.Equal(code, error.Code);
        Assert.Contains(second, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_platform_whose_publish_folder_is_missing_is_an_error()
    {
        var error = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.Parse(Valid with
        {
            Platforms = [new PlatformInput("linux-x64", _publish.Path, [], []), new PlatformInput("linux-arm64", "/nonexistent/publish/linux-arm64/", [], [])],
        }, _ => { }));
        Assert.Equal(DiagnosticCodes.PublishDirectoryMissing, error.Code);
        Assert.Contains("/nonexistent/publish/linux-arm64/", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A trailing newline passes a pattern that ends in $ (which matches before a final \n): every validator ends in \z.</summary>
    [Fact]
    public void A_trailing_newline_is_never_a_valid_name()
    {
        Assert.Equal(DiagnosticCodes.EnvironmentVariableInvalid, CodeOf(Valid with { Environment = [KeyValuePair.Create("FOO\n", "1")] }));
        Assert.Equal(DiagnosticCodes.UserInvalid, CodeOf(Valid with { User = "app\n:x" }));
        Assert.False(Containers.Build.References.ImageTag.IsValid("v1\n"));
        Assert.False(Containers.Build.References.RepositoryName.IsValid("app\n"));
        Assert.False(Containers.Build.References.RegistryHost.TryParse("registry.local\n", out _, out _));
        Assert.Throws<Containers.Build.References.InvalidReferenceException>(() => Containers.Build.References.ImageReference.Parse("registry.local/app:v1\n"));
    }

    [Fact]
    public void The_sdks_obsolete_ContainerImageName_names_the_repository_with_a_warning()
    {
        var warnings = new List<(string Code, string Message)>();
        var request = ImageRequestParser.Parse(Valid with { Repository = "ignored", ImageName = "my-container-app" }, _ => { }, (c, m) => warnings.Add((c, m)));
        Assert.Equal("my-container-app", request.Names.Repository);
        var (code, message) = Assert.Single(warnings);
        Assert.Equal(DiagnosticCodes.ImageNameObsolete, code);
        Assert.Contains("ContainerRepository", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MyTeam/MyApp", "myteam/myapp")]
    [InlineData("API", "api")]
    public void A_repository_with_capitals_is_lowercased_with_a_warning_naming_the_result(string repository, string lowered)
    {
        var warnings = new List<(string Code, string Message)>();
        var request = ImageRequestParser.Parse(Valid with { Repository = repository }, _ => { }, (c, m) => warnings.Add((c, m)));
        Assert.Equal(lowered, request.Names.Repository);
        var (code, message) = Assert.Single(warnings);
        Assert.Equal(DiagnosticCodes.RepositoryLowercased, code);
        Assert.Contains($"'{lowered}'", message, StringComparison.Ordinal);
        // What lowercasing cannot fix stays an error.
        Assert.Equal(DiagnosticCodes.RepositoryInvalid, CodeOf(Valid with { Repository = "My Team/App" }));
    }

    [Fact]
    public void The_working_directory_is_written_as_given()
    {
        Assert.Equal("/app/", ImageRequestParser.Parse(Valid with { WorkingDirectory = "/app/" }, _ => { }).Settings.WorkingDirectory);
        Assert.Equal("/srv/app", ImageRequestParser.Parse(Valid with { WorkingDirectory = "/srv/app" }, _ => { }).Settings.WorkingDirectory);
    }

    [Theory]
    [InlineData("1234", null, 1234, 1234)]
    [InlineData("1234:5678", null, 1234, 5678)]
    [InlineData("app", null, 0, 0)]
    [InlineData(null, null, 0, 0)]
    [InlineData("1234", "root", 0, 0)]
    [InlineData("1234", "42:43", 42, 43)]
    public void A_numeric_user_owns_the_apps_files_as_in_the_sdk_unless_an_owner_is_set(string? user, string? owner, int uid, int gid)
    {
        var request = ImageRequestParser.Parse(Valid with { User = user, FileOwner = owner }, _ => { });
        Assert.Equal((uid, gid), request.FileOwner.Resolve(null));
    }

    [Theory]
    [InlineData("DOTNET_CONTAINER_REGISTRY_CHUNKED_UPLOAD_SIZE_BYTES")]
    [InlineData("SDK_CONTAINER_REGISTRY_CHUNKED_UPLOAD_SIZE_BYTES")]
    public void The_sdks_chunk_size_variables_are_read_when_the_property_is_empty(string variable)
    {
        Assert.Equal(2097152, ImageRequestParser.ParseChunkSize(null, name => name == variable ? "2097152" : null));
        Assert.Equal(4194304, ImageRequestParser.ParseChunkSize("4194304", name => name == variable ? "2097152" : null));
        var error = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.ParseChunkSize("", name => name == variable ? "12" : null));
        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sdks_older_credential_variables_are_read_last()
    {
        var sdk = new Dictionary<string, string> { ["SDK_CONTAINER_REGISTRY_UNAME"] = "old", ["SDK_CONTAINER_REGISTRY_PWORD"] = "pw" };
        Assert.Equal("old", Containers.Build.Registry.Auth.EnvironmentCredentialSource.Find(Containers.Build.Registry.Auth.RegistryAccess.Push, sdk.GetValueOrDefault)!.UserName);
        var both = new Dictionary<string, string>(sdk) { ["DOTNET_CONTAINER_REGISTRY_UNAME"] = "new", ["DOTNET_CONTAINER_REGISTRY_PWORD"] = "pw" };
        Assert.Equal("new", Containers.Build.Registry.Auth.EnvironmentCredentialSource.Find(Containers.Build.Registry.Auth.RegistryAccess.Push, both.GetValueOrDefault)!.UserName);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("Fastest", System.IO.Compression.CompressionLevel.Fastest)]
    [InlineData(" optimal ", System.IO.Compression.CompressionLevel.Optimal)]
    [InlineData("smallest", System.IO.Compression.CompressionLevel.SmallestSize)]
    public void ContainerLayerCompressionLevel_sets_the_level_of_the_layers(string? value, System.IO.Compression.CompressionLevel? expected)
        => Assert.Equal(expected, ImageRequestParser.Parse(Valid with { LayerCompressionLevel = value }, _ => { }).LayerCompressionLevel);

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData(" False ", null)]
    [InlineData(" /home/ci/.cache/containers-build ", "/home/ci/.cache/containers-build")]
    public void ContainersBuildSharedCache_names_the_machines_folder_or_none(string? value, string? expected)
        => Assert.Equal(expected, ImageRequestParser.Parse(Valid with { SharedCacheDirectory = value }, _ => { }).SharedCacheDirectory);

    [Theory]
    [InlineData("9")]
    [InlineData("best")]
    [InlineData("NoCompression")]
    public void Another_ContainerLayerCompressionLevel_is_CB1114_before_anything_is_built(string value)
    {
        Assert.Equal("CB1114", CodeOf(Valid with { LayerCompressionLevel = value }));
        var check = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.CheckSettings(Valid with { LayerCompressionLevel = value }, ["linux-x64"], false, _ => { }));
        Assert.Equal(DiagnosticCodes.LayerCompressionLevelInvalid, check.Code);
        Assert.Contains($"'{value}'", check.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, LayerCompression.Gzip)]
    [InlineData("", LayerCompression.Gzip)]
    [InlineData("gzip", LayerCompression.Gzip)]
    [InlineData(" Zstd ", LayerCompression.Zstd)]
    public void ContainerLayerCompression_sets_the_compression_of_the_layers(string? value, LayerCompression expected)
        => Assert.Equal(expected, ImageRequestParser.Parse(Valid with { LayerCompression = value }, _ => { }).LayerCompression);

    [Theory]
    [InlineData("zstandard")]
    [InlineData("brotli")]
    [InlineData("none")]
    public void Another_ContainerLayerCompression_is_CB1116_before_anything_is_built(string value)
    {
        Assert.Equal("CB1116", CodeOf(Valid with { LayerCompression = value }));
        var check = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.CheckSettings(Valid with { LayerCompression = value }, ["linux-x64"], false, _ => { }));
        Assert.Equal(DiagnosticCodes.LayerCompressionInvalid, check.Code);
        Assert.Contains($"ContainerLayerCompression '{value}'", check.Message, StringComparison.Ordinal);
        Assert.Contains("zstd", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zstd_makes_the_image_oci_when_the_format_is_left_to_the_base()
    {
        Assert.Null(ImageRequestParser.Parse(Valid, _ => { }).Settings.Format);
        Assert.Equal(ImageFormat.Oci, ImageRequestParser.Parse(Valid with { LayerCompression = "zstd" }, _ => { }).Settings.Format);
        Assert.Equal(ImageFormat.Oci, ImageRequestParser.Parse(Valid with { LayerCompression = "zstd", ImageFormat = "OCI" }, _ => { }).Settings.Format);
        // A health check turned off needs no Docker format: an OCI image's is not run anyway.
        Assert.Equal(ImageFormat.Oci, ImageRequestParser.Parse(Valid with { LayerCompression = "zstd", HealthCheck = "none" }, _ => { }).Settings.Format);
    }

    [Fact]
    public void The_provenance_records_the_compression_when_it_is_set()
    {
        var properties = ImageRequestParser.Parse(Valid with { LayerCompression = "zstd", LayerCompressionLevel = "fastest" }, _ => { }).SupplyChain.Properties;
        Assert.Equal("zstd", properties["ContainerLayerCompression"]);
        Assert.Equal("fastest", properties["ContainerLayerCompressionLevel"]);
        Assert.False(ImageRequestParser.Parse(Valid, _ => { }).SupplyChain.Properties.ContainsKey("ContainerLayerCompression"));
    }

    [Fact]
    public void Zstd_with_the_docker_format_is_CB1117_before_anything_is_built()
    {
        var inputs = Valid with { LayerCompression = "zstd", ImageFormat = "Docker" };

        Assert.Equal("CB1117", CodeOf(inputs));
        var check = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.CheckSettings(inputs, ["linux-x64"], false, _ => { }));
        Assert.Equal(DiagnosticCodes.ZstdInDockerFormat, check.Code);
        Assert.Contains("ContainerImageFormat=Docker", check.Message, StringComparison.Ordinal);
        Assert.Contains("ContainerImageFormat=OCI", check.Message, StringComparison.Ordinal);
        Assert.Contains("ContainerLayerCompression=gzip", check.Message, StringComparison.Ordinal);
        // gzip keeps the Docker format.
        Assert.Equal(ImageFormat.Docker, ImageRequestParser.Parse(Valid with { LayerCompression = "gzip", ImageFormat = "Docker" }, _ => { }).Settings.Format);
    }

    [Fact]
    public void Zstd_with_a_health_check_that_asks_for_the_docker_format_is_CB1117_and_with_oci_a_warning()
    {
        var inputs = Valid with { LayerCompression = "zstd", HealthCheckShellCommand = "curl -f http://localhost:8080/ || exit 1" };

        var check = Assert.Throws<ContainersBuildException>(() => ImageRequestParser.CheckSettings(inputs, ["linux-x64"], false, _ => { }));
        Assert.Equal(DiagnosticCodes.ZstdInDockerFormat, check.Code);
        Assert.Contains("health check", check.Message, StringComparison.Ordinal);
        Assert.Contains("ContainerImageFormat=OCI", check.Message, StringComparison.Ordinal);

        var warnings = new List<string>();
        var request = ImageRequestParser.Parse(inputs with { ImageFormat = "OCI" }, _ => { }, (code, _) => warnings.Add(code));
        Assert.Equal(ImageFormat.Oci, request.Settings.Format);
        Assert.Equal([DiagnosticCodes.HealthCheckIgnoredInOci], warnings);
    }
}
