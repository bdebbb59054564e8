using System.Text;
using System.Text.Json.Nodes;
using Containers.Build.Model;

namespace Containers.Build.Tests.Model;

public class ManifestTests
{
    private static readonly Digest ConfigDigest = Digest.Compute("config"u8);
    private static readonly Digest LayerDigest = Digest.Compute("layer"u8);

    [Fact]
    public void A_parsed_manifest_keeps_its_exact_bytes_and_their_digest()
    {
        // Spacing and key order that a re-serialization would change.
        var text = $$"""
            {
               "schemaVersion": 2,
               "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
               "layers": [ { "size": 5, "digest": "{{LayerDigest}}", "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip" } ],
               "config": { "mediaType": "application/vnd.docker.container.image.v1+json", "size": 6, "digest": "{{ConfigDigest}}" }
            }
            """;
        var bytes = Encoding.UTF8.GetBytes(text);
        var manifest = ImageManifest.Parse(bytes);

        Assert.Same(bytes, manifest.Bytes);
        Assert.Equal(Digest.Compute(bytes), manifest.Digest);
        Assert.Equal(ImageFormat.Docker, manifest.Format);
        Assert.Equal(ConfigDigest, manifest.Config.Digest);
        Assert.Equal(6, manifest.Config.Size);
        var layer = Assert.Single(manifest.Layers);
        Assert.Equal(LayerDigest, layer.Digest);
        Assert.Equal(MediaTypes.DockerLayerGzip, layer.MediaType);
    }

    [Fact]
    public void A_created_manifest_round_trips_and_names_its_media_type()
    {
        var config = new Descriptor(MediaTypes.OciConfig, ConfigDigest, 6);
        var layers = new[] { new Descriptor(MediaTypes.OciLayerGzip, LayerDigest, 5) };
        var manifest = ImageManifest.Create(ImageFormat.Oci, config, layers);

        var json = JsonNode.Parse(manifest.Bytes)!;
        Assert.Equal(2, json["schemaVersion"]!.GetValue<int>());
        Assert.Equal(MediaTypes.OciManifest, json["mediaType"]!.GetValue<string>());
        Assert.Equal(ConfigDigest.ToString(), json["config"]!["digest"]!.GetValue<string>());

        var reparsed = ImageManifest.Parse(manifest.Bytes);
        Assert.Equal(manifest.Digest, reparsed.Digest);
        Assert.Equal(config, reparsed.Config);
        Assert.Equal(layers, reparsed.Layers);
        // The same input always gives the same bytes.
        Assert.Equal(manifest.Bytes, ImageManifest.Create(ImageFormat.Oci, config, layers).Bytes);
    }

    [Theory]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""")]
    [InlineData("""{"schemaVersion":1,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}""")]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"x","digest":"sha256:zz","size":1},"layers":[]}""")]
    [InlineData("not json")]
    // Fields of the wrong type, as a hostile or broken registry may send them.
    [InlineData("""{"schemaVersion":"2","mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}""")]
    [InlineData("""{"schemaVersion":2,"mediaType":5,"config":{},"layers":[]}""")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":"12"},"layers":[]}""")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":["x"],"digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":1},"layers":[]}""")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":1},"layers":["x"]}""")]
    public void Invalid_manifests_are_rejected_with_a_reason(string text)
    {
        var error = Assert.Throws<InvalidContentException>(() => ImageManifest.Parse(Encoding.UTF8.GetBytes(text)));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("application/vnd.oci.image.index.v1+json")]
    [InlineData("application/vnd.docker.distribution.manifest.list.v2+json")]
    public void An_index_is_narrowed_to_the_target_platform(string mediaType)
    {
        var arm = Digest.Compute("arm"u8);
        var amd = Digest.Compute("amd"u8);
        var manifestType = mediaType == MediaTypes.OciIndex ? MediaTypes.OciManifest : MediaTypes.DockerManifest;
        var text = $$$"""
            {"schemaVersion":2,"mediaType":"{{{mediaType}}}","manifests":[
              {"mediaType":"{{{manifestType}}}","digest":"{{{arm}}}","size":10,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
              {"mediaType":"{{{manifestType}}}","digest":"{{{amd}}}","size":11,"platform":{"architecture":"amd64","os":"linux"}}
            ]}
            """;
        var index = ImageIndex.Parse(Encoding.UTF8.GetBytes(text));

        Assert.Equal(amd, index.FindManifest(Platform.LinuxAmd64)!.Digest);
        Assert.Equal(arm, index.FindManifest(new Platform("linux", "arm64"))!.Digest);
        Assert.Null(index.FindManifest(new Platform("linux", "s390x")));
        Assert.Equal(["linux/arm64/v8", "linux/amd64"], index.Platforms.Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("linux-x64", "linux/amd64")]
    [InlineData("linux-arm64", "linux/arm64/v8")]
    [InlineData("linux-musl-x64", "linux/amd64")]
    [InlineData("linux-arm", "linux/arm/v7")]
    [InlineData("win-x64", "windows/amd64")]
    public void Runtime_identifiers_map_to_platforms(string rid, string platform)
    {
        Assert.True(Platform.TryFromRuntimeIdentifier(rid, out var parsed));
        Assert.Equal(platform, parsed.ToString());
    }

    [Theory]
    [InlineData("osx-x64")]
    [InlineData("linux")]
    [InlineData("linux-sparc")]
    public void Unsupported_runtime_identifiers_are_refused(string rid)
        => Assert.False(Platform.TryFromRuntimeIdentifier(rid, out _));

    [Fact]
    public void A_config_keeps_its_bytes_and_reads_environment_and_diff_ids()
    {
        var diffId = Digest.Compute("tar"u8);
        var bytes = Encoding.UTF8.GetBytes($$$"""{"architecture":"amd64","os":"linux","config":{"Env":["A=1","B=x=y","A=2"]},"rootfs":{"type":"layers","diff_ids":["{{{diffId}}}"]},"unknown":{"kept":true}}""");
        var config = ImageConfig.Parse(bytes);

        Assert.Equal(Digest.Compute(bytes), config.Digest);
        Assert.Equal("2", config.Environment["A"]);
        Assert.Equal("x=y", config.Environment["B"]);
        Assert.Equal([diffId], config.DiffIds);
        Assert.True(config.ToJsonObject()["unknown"]!["kept"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData(ImageFormat.Oci, MediaTypes.OciIndex)]
    [InlineData(ImageFormat.Docker, MediaTypes.DockerManifestList)]
    public void An_index_of_platform_manifests_has_the_list_type_of_their_format(ImageFormat format, string mediaType)
    {
        var config = new Descriptor(format.ConfigMediaType(), Digest.Compute("{}"u8.ToArray()), 2);
        var amd64 = ImageManifest.Create(format, config, []);
        var arm64 = ImageManifest.Create(format, config with { Size = 3 }, []);
        Assert.True(Platform.TryFromRuntimeIdentifier("linux-arm64", out var arm));
        var index = ImageIndex.Create(format, [(amd64, Platform.LinuxAmd64), (arm64, arm)]);

        Assert.Equal(mediaType, index.MediaType);
        var parsed = ImageIndex.Parse(index.Bytes);
        Assert.Equal(mediaType, parsed.MediaType);
        Assert.Equal(index.Digest, parsed.Digest);
        Assert.Equal([amd64.Digest, arm64.Digest], parsed.Manifests.Select(m => m.Digest));
        Assert.Equal([format.ManifestMediaType(), format.ManifestMediaType()], parsed.Manifests.Select(m => m.MediaType));
        Assert.Equal(arm64.Digest, parsed.FindManifest(new Platform("linux", "arm64"))!.Digest);
        Assert.Contains("\"variant\":\"v8\"", System.Text.Encoding.UTF8.GetString(index.Bytes), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"os":5,"rootfs":{"type":"layers","diff_ids":[]}}""", "'os'")]
    [InlineData("""{"architecture":{},"rootfs":{"type":"layers","diff_ids":[]}}""", "'architecture'")]
    [InlineData("""{"rootfs":{"type":"layers","diff_ids":[7]}}""", "diff_ids[0]")]
    [InlineData("""{"config":{"Env":[1]},"rootfs":{"type":"layers","diff_ids":[]}}""", "Env[0]")]
    [InlineData("""{"config":"none","rootfs":{"type":"layers","diff_ids":[]}}""", null)]
    public void A_config_with_fields_of_the_wrong_type_is_invalid_content_naming_the_field(string json, string? field)
    {
        if (field is null)
        {
            // A config that is not an object holds no environment; nothing breaks.
            Assert.Empty(ImageConfig.Parse(Encoding.UTF8.GetBytes(json)).Environment);
            return;
        }
        var error = Assert.Throws<InvalidContentException>(() => ImageConfig.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_index_entry_with_a_platform_of_the_wrong_type_is_invalid_content()
    {
        var json = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":1,"platform":{"os":"linux","architecture":64}}]}""";
        var error = Assert.Throws<InvalidContentException>(() => ImageIndex.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains("'architecture'", error.Message, StringComparison.Ordinal);
    }
}
