using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Publishing.Stages;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Images;

/// <summary>ContainerBaseImage=scratch: no base layers, an empty config naming each platform, no base labels.</summary>
public class ScratchSourceTests
{
    [Fact]
    public async Task Scratch_is_an_empty_config_per_platform_with_no_layers_and_no_base_labels()
    {
        Assert.IsType<ScratchLocation>(BaseImageLocation.Parse("scratch"));
        // Only the bare word: a registry's image called scratch stays a registry reference.
        Assert.IsType<RegistryLocation>(BaseImageLocation.Parse("registry.example.com/scratch:1"));
        using var storeDirectory = new TempDirectory("cb-scratch-store");

        var images = await BaseSources.ResolveAsync("scratch", new ContentStore(storeDirectory.Path), Platform.LinuxAmd64, new Platform("linux", "arm64", "v8"));

        Assert.Equal(2, images.Count);
        Assert.All(images, image => Assert.Empty(image.Layers));
        Assert.All(images, image => Assert.Empty(image.Manifest.Layers));
        Assert.All(images, image => Assert.Empty(image.Config.DiffIds));
        var arm = JsonNode.Parse(images[1].Config.Bytes)!;
        Assert.Equal("arm64", arm["architecture"]!.GetValue<string>());
        Assert.Equal("linux", arm["os"]!.GetValue<string>());
        Assert.Equal("v8", arm["variant"]!.GetValue<string>());
        Assert.Equal("amd64", images[0].Config.Architecture);
        Assert.Empty(images[0].Config.Environment);

        var labels = GeneratedLabels.For(images[0], new ImageSettings { GeneratedLabels = new LabelGeneration(Created: true, BaseName: true, BaseDigest: true) }).ToDictionary();
        Assert.DoesNotContain(GeneratedLabels.BaseName, labels.Keys);
        Assert.DoesNotContain(GeneratedLabels.BaseDigest, labels.Keys);
        Assert.Contains(GeneratedLabels.Created, labels.Keys);
    }
}
