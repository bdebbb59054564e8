using Containers.Build.References;

namespace Containers.Build.Tests.References;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("127.0.0.1:5000/dotnet/aspnet:10.0", "127.0.0.1:5000", "dotnet/aspnet", "10.0")]
    [InlineData("mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled", "mcr.microsoft.com", "dotnet/runtime-deps", "10.0-noble-chiseled")]
    [InlineData("localhost/app", "localhost", "app", "latest")]
    [InlineData("localhost:5000/team/app:v1", "localhost:5000", "team/app", "v1")]
    [InlineData("ubuntu", "registry-1.docker.io", "library/ubuntu", "latest")]
    [InlineData("ubuntu:24.04", "registry-1.docker.io", "library/ubuntu", "24.04")]
    [InlineData("docker.io/ubuntu", "registry-1.docker.io", "library/ubuntu", "latest")]
    [InlineData("docker.io/grafana/grafana:11.0", "registry-1.docker.io", "grafana/grafana", "11.0")]
    [InlineData("[::1]:5000/app:1", "[::1]:5000", "app", "1")]
    public void Parses_and_normalizes(string text, string registry, string repository, string tag)
    {
        var reference = ImageReference.Parse(text);
        Assert.Equal(registry, reference.Registry.Value);
        Assert.Equal(repository, reference.Repository);
        Assert.Equal(tag, reference.Tag);
        Assert.Null(reference.Digest);
    }

    [Fact]
    public void Parses_a_digest_with_or_without_a_tag()
    {
        const string digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        var pinned = ImageReference.Parse($"mcr.microsoft.com/dotnet/aspnet@{digest}");
        Assert.Null(pinned.Tag);
        Assert.Equal(digest, pinned.Reference);

        var both = ImageReference.Parse($"mcr.microsoft.com/dotnet/aspnet:10.0@{digest}");
        Assert.Equal("10.0", both.Tag);
        Assert.Equal(digest, both.Reference);
        Assert.Equal($"mcr.microsoft.com/dotnet/aspnet:10.0@{digest}", both.ToString());
    }

    [Theory]
    [InlineData("mcr.microsoft.com:/x")]
    [InlineData("mcr.microsoft.com/")]
    [InlineData("")]
    [InlineData("https://mcr.microsoft.com/dotnet/aspnet")]
    [InlineData("mcr.microsoft.com/Dotnet/aspnet")]
    [InlineData("mcr.microsoft.com/dotnet/aspnet:")]
    [InlineData("mcr.microsoft.com/dotnet/aspnet:.bad")]
    [InlineData("mcr.microsoft.com/dotnet/aspnet@sha256:123")]
    [InlineData("127.0.0.1:99999/app")]
    [InlineData(" app")]
    public void Rejects_invalid_references(string text)
    {
        var error = Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse(text));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("localhost:5000", true)]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("registry.example.com", false)]
    [InlineData("10.0.0.1:5000", false)]
    [InlineData("localhost.example.com", false)]
    public void Knows_which_registries_are_loopback(string host, bool loopback)
        => Assert.Equal(loopback, RegistryHost.Parse(host).IsLoopback);
}
