using Containers.Build.References;

namespace Containers.Build.Tests.References;

public class RepositoryNameTests
{
    [Theory]
    [InlineData("webapp", "webapp")]
    [InlineData("WebApp", "webapp")]
    [InlineData("Microsoft.Apps.Demo.ContosoWeb", "microsoft-apps-demo-contosoweb")]
    [InlineData("web/app2+7", "web/app2-7")]
    [InlineData("My App", "my-app")]
    [InlineData("app_", "app")]
    [InlineData("a__b", "a__b")]
    public void Makes_project_names_valid(string name, string expected)
        => Assert.Equal(expected, RepositoryName.TryMakeValid(name));

    [Theory]
    [InlineData("$runtime")]
    [InlineData("")]
    [InlineData("-app")]
    [InlineData("+++")]
    public void Refuses_names_that_cannot_be_made_valid(string name)
        => Assert.Null(RepositoryName.TryMakeValid(name));

    [Theory]
    [InlineData("app", true)]
    [InlineData("team/app-1.2_x", true)]
    [InlineData("a--b", true)]
    [InlineData("App", false)]
    [InlineData("app/", false)]
    [InlineData("/app", false)]
    [InlineData("app..x", false)]
    [InlineData("app___x", false)]
    public void Validates_repository_names(string name, bool valid)
        => Assert.Equal(valid, RepositoryName.IsValid(name));

    [Theory]
    [InlineData("latest", true)]
    [InlineData("1.0.0-rc.1_x", true)]
    [InlineData("_x", true)]
    [InlineData(".x", false)]
    [InlineData("-x", false)]
    [InlineData("a b", false)]
    [InlineData("", false)]
    public void Validates_tags(string tag, bool valid)
    {
        Assert.Equal(valid, ImageTag.IsValid(tag));
    }

    [Fact]
    public void A_tag_has_at_most_128_characters()
    {
        Assert.True(ImageTag.IsValid(new string('a', 128)));
        Assert.False(ImageTag.IsValid(new string('a', 129)));
    }
}
