using Containers.Build.SupplyChain;

namespace Containers.Build.Tests.SupplyChain;

public class BuildToolTests
{
    [Theory]
    [InlineData("1.4.0+9f1c2ab4d", "1.4.0")]
    [InlineData("1.4.0-rc.1+9f1c2ab4d.dirty", "1.4.0-rc.1")]
    [InlineData("1.4.0", "1.4.0")]
    public void The_version_named_in_documents_has_no_commit(string informational, string expected)
    {
        Assert.Equal(expected, BuildTool.WithoutBuildMetadata(informational));
        Assert.DoesNotContain('+', BuildTool.Version);
    }
}
