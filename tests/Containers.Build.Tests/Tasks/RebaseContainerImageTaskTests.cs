using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Tasks;

/// <summary>RebaseImage's settings (which image, which tags) and its task boundary.</summary>
public class RebaseContainerImageTaskTests : IDisposable
{
    private readonly TempDirectory _store = new("cb-rebase-store");
    private readonly FakeBuildEngine _engine = new();

    public void Dispose() => _store.Dispose();

    private ImageRequestParser.Inputs Published => new()
    {
        Registry = "127.0.0.1:5000",
        AssemblyName = "WebApp",
        ContentStoreDirectory = _store.Path,
    };

    private static Containers.Build.Publishing.Rebase.RebaseRequest Parse(ImageRequestParser.Inputs inputs, string? rebaseImage = null)
        => ImageRequestParser.ParseRebase(inputs, rebaseImage, _ => { });

    [Fact]
    public void Without_ContainerRebaseImage_the_image_is_where_PublishImage_pushed_it()
    {
        var request = Parse(Published);
        Assert.Equal("127.0.0.1:5000/webapp:latest", request.Image.ToString());
        Assert.Equal(["latest"], request.Tags);
        Assert.Equal(_store.Path, request.ContentStoreDirectory);

        var tagged = Parse(Published with { Repository = "team/app", ImageTags = "1.0;latest" });
        Assert.Equal("127.0.0.1:5000/team/app:1.0", tagged.Image.ToString());
        Assert.Equal(["1.0", "latest"], tagged.Tags);

        Assert.Equal("127.0.0.1:5000/webapp:2.0", Parse(Published with { ImageTag = "2.0" }).Image.ToString());
    }

    [Fact]
    public void ContainerRebaseImage_names_the_image_and_its_tag_unless_ContainerImageTags_is_set()
    {
        var request = Parse(Published, "registry.example.com:5000/team/app:1.2");
        Assert.Equal("registry.example.com:5000/team/app:1.2", request.Image.ToString());
        Assert.Equal(["1.2"], request.Tags);

        var byDigest = Parse(Published with { ImageTag = "ignored" }, "127.0.0.1:5000/team/app@sha256:" + new string('a', 64));
        Assert.Empty(byDigest.Tags);

        Assert.Equal(["1", "stable"], Parse(Published with { ImageTags = "1;stable" }, "127.0.0.1:5000/team/app:1.2").Tags);
    }

    [Fact]
    public void No_registry_or_an_invalid_reference_is_CB2019()
    {
        var none = Assert.Throws<ContainersBuildException>(() => Parse(Published with { Registry = null }));
        Assert.Equal(DiagnosticCodes.RebaseBaseUnknown, none.Code);
        Assert.Contains("ContainerRebaseImage nor ContainerRegistry", none.Message, StringComparison.Ordinal);

        var invalid = Assert.Throws<ContainersBuildException>(() => Parse(Published, "https://registry/app"));
        Assert.Equal(DiagnosticCodes.RebaseBaseUnknown, invalid.Code);
        Assert.Contains("ContainerRebaseImage 'https://registry/app'", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_registries_need_ContainerRebaseImage_to_say_which_image_moves()
    {
        var several = Assert.Throws<ContainersBuildException>(() => Parse(Published with { Registry = "127.0.0.1:5000;registry.example.com", Repository = "team/app", ImageTag = "1.0" }));
        Assert.Equal(DiagnosticCodes.RebaseBaseUnknown, several.Code);
        Assert.Contains("ContainerRegistry lists 2 registries (127.0.0.1:5000, registry.example.com)", several.Message, StringComparison.Ordinal);
        Assert.Contains("Set ContainerRebaseImage to the image to rebase, e.g. 127.0.0.1:5000/team/app:1.0, and run RebaseImage once for each registry", several.Message, StringComparison.Ordinal);

        // The same registry twice is one registry; a bad entry is the settings error it always was.
        Assert.Equal("127.0.0.1:5000/webapp:latest", Parse(Published with { Registry = "127.0.0.1:5000; 127.0.0.1:5000" }).Image.ToString());
        Assert.Equal(DiagnosticCodes.RegistryInvalid, Assert.Throws<ContainersBuildException>(() => Parse(Published with { Registry = "127.0.0.1:5000;http://x" })).Code);

        var named = Parse(Published with { Registry = "127.0.0.1:5000;registry.example.com" }, "registry.example.com/team/app:1.0");
        Assert.Equal("registry.example.com/team/app:1.0", named.Image.ToString());
    }

    [Fact]
    public void Failures_are_coded_errors_not_exceptions()
    {
        var task = new RebaseContainerImage { BuildEngine = _engine, AssemblyName = "App", ContentStoreDirectory = _store.Path };
        Assert.False(task.Execute());
        Assert.Equal(DiagnosticCodes.RebaseBaseUnknown, Assert.Single(_engine.Errors).Code);

        _engine.Errors.Clear();
        var unreachable = new RebaseContainerImage { BuildEngine = _engine, AssemblyName = "App", ContentStoreDirectory = _store.Path, Registry = "127.0.0.1:1" };
        Assert.False(unreachable.Execute());
        var error = Assert.Single(_engine.Errors);
        Assert.Equal(DiagnosticCodes.RegistryUnreachable, error.Code);
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }
}
