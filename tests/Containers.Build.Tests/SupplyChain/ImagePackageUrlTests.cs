using Containers.Build.Model;
using Containers.Build.SupplyChain;

namespace Containers.Build.Tests.SupplyChain;

public class ImagePackageUrlTests
{
    private static readonly Digest BaseDigest = Digest.Compute("base"u8);

    [Theory]
    [InlineData("docker.io/library/debian:12", "debian", "docker.io/library/debian", "12")]
    [InlineData("registry-1.docker.io/library/debian:12", "debian", "docker.io/library/debian", "12")]
    [InlineData("mcr.microsoft.com/dotnet/aspnet:10.0", "aspnet", "mcr.microsoft.com/dotnet/aspnet", "10.0")]
    [InlineData("127.0.0.1:5000/dotnet/runtime-deps:10.0", "runtime-deps", "127.0.0.1:5000/dotnet/runtime-deps", "10.0")]
    [InlineData("oci:/work/layouts/base:v1", "base", null, "v1")]
    [InlineData("oci-archive:/tmp/base-image.tar", "base-image.tar", null, null)]
    [InlineData("docker-archive:/tmp/saved.tar:example/app:2", "app", null, "2")]
    [InlineData("docker-archive:/tmp/saved.tar", "saved.tar", null, null)]
    [InlineData("containers-storage:localhost/mybase:dev", "mybase", null, "dev")]
    [InlineData("docker-daemon:mybase", "mybase", null, null)]
    public void Base_images_are_located_by_their_names(string written, string name, string? repositoryUrl, string? tag)
    {
        Assert.Equal((name, repositoryUrl, tag), ImagePackageUrl.Locate(written));
    }

    [Fact]
    public void Oci_purls_encode_the_digest_and_sort_their_qualifiers()
    {
        Assert.Equal($"pkg:oci/base@sha256%3A{BaseDigest.Hex}?arch=arm64&repository_url=127.0.0.1:5000/team/base&tag=1.0",
            ImagePackageUrl.ForBase(new BaseImageIdentity("127.0.0.1:5000/team/base:1.0", BaseDigest, false), new Platform("linux", "arm64", "v8")));
        // Names are lowercase in the oci type; '+' is not unreserved (a decoder would read it as a space).
        Assert.Equal($"pkg:oci/base@sha256%3A{BaseDigest.Hex}?repository_url=example.com/team/base&tag=1.0%2Bx",
            PackageUrl.Oci("Base", BaseDigest, null, "example.com/team/base", "1.0+x"));
        Assert.Equal("pkg:oci/base?tag=v1", PackageUrl.Oci("base", null, null, null, "v1"));
    }

    [Fact]
    public void Nuget_purls_keep_the_ids_case()
    {
        Assert.Equal("pkg:nuget/Newtonsoft.Json@13.0.3", PackageUrl.NuGet("Newtonsoft.Json", "13.0.3"));
        Assert.Equal("pkg:nuget/My.Package@1.0.0-beta.1%2Bsha.5", PackageUrl.NuGet("My.Package", "1.0.0-beta.1+sha.5"));
    }
}
