using Containers.Build.Tasks;

namespace Containers.Build.Tests.Tasks;

/// <summary>-warnaserror is read off the command line: MSBuild does not tell a task about it before the build ends.</summary>
public class WarningsAsErrorsTests
{
    [Theory]
    [InlineData("-warnaserror", true)]
    [InlineData("/warnaserror", true)]
    [InlineData("--warnaserror", true)]
    [InlineData("-err", true)]
    [InlineData("-WarnAsError", true)]
    [InlineData("-warnaserror:CB4001", true)]
    [InlineData("-warnaserror:NU1603;CB4001", true)]
    [InlineData("-warnaserror:NU1603", false)]
    [InlineData("-warnasmessage", false)]
    [InlineData("-p:Foo=warnaserror", false)]
    [InlineData("warnaserror", false)]
    public void The_switch_promotes_all_warnings_or_the_codes_it_lists(string argument, bool promoted)
        => Assert.Equal(promoted, WarningsAsErrors.FromArguments(["dotnet.dll", "publish", argument], "CB4001"));
}
