using Containers.Build.Images;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Tasks;

/// <summary>The configuration surface's rules: each failure is a coded error naming the property, the value and the fix.</summary>
public class ConfigurationParserTests : IDisposable
{
    private readonly TempDirectory _publish = new("cb-publish");

    public void Dispose() => _publish.Dispose();

    private ImageRequestParser.Inputs Valid => new()
    {
        BaseImage = "mcr.microsoft.com/dotnet/aspnet:10.0",
        Registry = "127.0.0.1:5000",
        AssemblyName = "WebApp",
        PublishDirectory = _publish.Path,
        AppCommand = ["dotnet", "/app/WebApp.dll"],
    };

    private static ContainersBuildException Error(ImageRequestParser.Inputs inputs)
        => Assert.Throws<ContainersBuildException>(() => ImageRequestParser.Parse(inputs, _ => { }));

    [Theory]
    [InlineData("root", "root")]
    [InlineData("app", "app")]
    [InlineData(" 1654 ", "1654")]
    [InlineData("1654:1654", "1654:1654")]
    [InlineData("app:app", "app:app")]
    [InlineData("0", "0")]
    [InlineData("2147483647", "2147483647")]
    [InlineData("2147483647:2147483647", "2147483647:2147483647")]
    [InlineData("ContainerUser", "ContainerUser")]
    [InlineData("www-data", "www-data")]
    [InlineData("", null)]
    public void Users_are_a_name_or_uid_with_an_optional_group(string user, string? expected)
        => Assert.Equal(expected, ImageRequestParser.Parse(Valid with { User = user }, _ => { }).Settings.User);

    [Theory]
    [InlineData("2147483648", "larger than 2147483647")]
    [InlineData("99999999999999999999", "larger than 2147483647")]
    [InlineData("1000:4294967296", "gid 4294967296 is larger")]
    [InlineData("-1", "'-1' is neither a number nor a user name")]
    [InlineData("app user", "'app user' is neither")]
    [InlineData("1000:", "the group is empty")]
    [InlineData(":1000", "the user is empty")]
    [InlineData("a:b:c", "more than one ':'")]
    public void Invalid_users_are_coded_errors_naming_the_flaw(string user, string reason)
    {
        var error = Error(Valid with { User = user });
        Assert.Equal(DiagnosticCodes.UserInvalid, error.Code);
        Assert.Contains($"ContainerUser '{user}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app")]
    [InlineData("C:\\app\\")]
    [InlineData("./app")]
    [InlineData("/app/../etc")]
    [InlineData("/../..")]
    [InlineData("/app/.")]
    public void A_working_directory_must_be_absolute(string directory)
    {
        var error = Error(Valid with { WorkingDirectory = directory });
        Assert.Equal(DiagnosticCodes.WorkingDirectoryInvalid, error.Code);
        Assert.Contains($"ContainerWorkingDirectory '{directory}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, AppCommandInstruction.Entrypoint)]
    [InlineData("Entrypoint", AppCommandInstruction.Entrypoint)]
    [InlineData("defaultargs", AppCommandInstruction.DefaultArgs)]
    [InlineData(" DefaultArgs ", AppCommandInstruction.DefaultArgs)]
    public void The_instruction_is_read_case_insensitively(string? instruction, AppCommandInstruction expected)
    {
        var request = ImageRequestParser.Parse(Valid with { AppCommandInstruction = instruction, AppCommandArgs = ["--x"], DefaultArgs = ["--y"] }, _ => { });
        Assert.Equal(expected, request.Settings.Command!.Instruction);
        Assert.Equal(["--x"], request.Settings.Command.AppCommandArgs);
    }

    [Fact]
    public void An_unknown_instruction_is_an_error_listing_the_valid_ones()
    {
        var error = Error(Valid with { AppCommandInstruction = "Cmd" });
        Assert.Equal(DiagnosticCodes.AppCommandInstructionInvalid, error.Code);
        Assert.Contains("ContainerAppCommandInstruction 'Cmd'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Entrypoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("DefaultArgs", error.Message, StringComparison.Ordinal);
        Assert.Contains("None", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Instruction_none_with_an_app_command_is_a_conflict()
    {
        var error = Error(Valid with { AppCommandInstruction = "None" });
        Assert.Equal(DiagnosticCodes.AppCommandWithInstructionNone, error.Code);
        Assert.Contains("ContainerAppCommand 'dotnet;/app/WebApp.dll'", error.Message, StringComparison.Ordinal);

        error = Error(Valid with { AppCommandInstruction = "None", AppCommand = [], AppCommandArgs = ["--x"] });
        Assert.Equal(DiagnosticCodes.AppCommandWithInstructionNone, error.Code);
        Assert.Contains("ContainerAppCommandArgs '--x'", error.Message, StringComparison.Ordinal);

        var request = ImageRequestParser.Parse(Valid with { AppCommandInstruction = "None", AppCommand = [], DefaultArgs = ["serve"] }, _ => { });
        Assert.Equal(AppCommandInstruction.None, request.Settings.Command!.Instruction);
    }

    [Fact]
    public void App_command_args_need_an_app_command()
    {
        var error = Error(Valid with { AppCommand = [], AppCommandArgs = ["--x"] });
        Assert.Equal(DiagnosticCodes.AppCommandArgsWithoutAppCommand, error.Code);
        Assert.Contains("ContainerAppCommandArgs '--x'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generated_label_switches_reach_the_settings()
    {
        var request = ImageRequestParser.Parse(Valid with { GeneratedLabels = new LabelGeneration(true, false, true) }, _ => { });
        Assert.Equal(new LabelGeneration(true, false, true), request.Settings.GeneratedLabels);
        Assert.Equal(LabelGeneration.None, ImageRequestParser.Parse(Valid, _ => { }).Settings.GeneratedLabels);
    }

    [Fact]
    public void Mirrors_come_from_the_environment_first_then_the_items()
    {
        var request = ImageRequestParser.Parse(Valid with
        {
            RegistryMirrors = [("mcr.microsoft.com", "mirror.example.com"), ("docker.io", "127.0.0.1:5000")],
            RegistryMirrorsEnvironment = " mcr.microsoft.com = 127.0.0.1:5000 ;; ",
        }, _ => { });

        Assert.Equal(["127.0.0.1:5000", "mirror.example.com"], request.Mirrors.For(RegistryHost.Parse("mcr.microsoft.com")).Select(h => h.Value));
        // docker.io and index.docker.io are Docker Hub, as in image references.
        Assert.Equal(["127.0.0.1:5000"], request.Mirrors.For(RegistryHost.Parse("index.docker.io")).Select(h => h.Value));
        Assert.Empty(request.Mirrors.For(RegistryHost.Parse("ghcr.io")));
    }

    [Theory]
    [InlineData("mcr.microsoft.com", "127.0.0.1:5000/mcr", null, "ContainerRegistryMirror 'mcr.microsoft.com' (Mirror '127.0.0.1:5000/mcr')")]
    [InlineData("https://mcr.microsoft.com", "127.0.0.1:5000", null, "'https://mcr.microsoft.com' is not a registry host")]
    [InlineData("mcr.microsoft.com", "", null, "ContainerRegistryMirror 'mcr.microsoft.com' has no Mirror")]
    [InlineData(null, null, "mcr.microsoft.com", "CONTAINERS_BUILD_REGISTRY_MIRRORS entry 'mcr.microsoft.com' is not registry=mirror")]
    [InlineData(null, null, "mcr.microsoft.com=http://127.0.0.1:5000", "CONTAINERS_BUILD_REGISTRY_MIRRORS entry 'mcr.microsoft.com=http://127.0.0.1:5000'")]
    public void Invalid_mirrors_are_coded_errors_naming_the_entry(string? registry, string? mirror, string? environment, string expected)
    {
        var error = Error(Valid with
        {
            RegistryMirrors = registry is null ? [] : [(registry, mirror)],
            RegistryMirrorsEnvironment = environment,
        });
        Assert.Equal(DiagnosticCodes.RegistryMirrorInvalid, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_slashes_in_the_working_directory_are_one()
        => Assert.Equal("/srv/app", ImageRequestParser.ParseWorkingDirectory("/srv//app"));
}
