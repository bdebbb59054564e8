using Containers.Build.Tasks;
using Containers.Build.Tests.Support;
using Microsoft.Build.Utilities;

namespace Containers.Build.Tests.Tasks;

/// <summary>The inference task's boundary: a set base image passes through, failures are coded errors.</summary>
public class ComputeContainerBaseImageTaskTests
{
    private readonly FakeBuildEngine _engine = new();

    private ComputeContainerBaseImage CreateTask(SettingItems? settings = null) => new()
    {
        BuildEngine = _engine,
        Settings = (settings ?? new SettingItems())
            .Set("SdkVersion", "10.0.401")
            .Set("TargetFrameworkVersion", "v10.0")
            .Set("RuntimeIdentifier", "linux-x64")
            .ToItems(),
        FrameworkReferences = [new TaskItem("Microsoft.NETCore.App"), new TaskItem("Microsoft.AspNetCore.App")],
    };

    [Fact]
    public void Infers_and_says_so()
    {
        var task = CreateTask();
        Assert.True(task.Execute());
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", task.ComputedContainerBaseImage);
        Assert.Contains(_engine.Messages, m => m.Message!.Contains("inferred from the project", StringComparison.Ordinal));
    }

    [Fact]
    public void A_base_image_the_user_set_is_kept()
    {
        var task = CreateTask(new SettingItems().Set("BaseImage", " ubuntu:24.04 ").Set("ContainerFamily", "alpine"));
        Assert.True(task.Execute());
        Assert.Equal("ubuntu:24.04", task.ComputedContainerBaseImage);
        Assert.Empty(_engine.Errors);
    }

    [Fact]
    public void A_failure_is_a_coded_error_not_an_exception()
    {
        var task = CreateTask(new SettingItems().Set("RuntimeIdentifiers", "linux-musl-x64;linux-x64"));
        Assert.False(task.Execute());
        Assert.Equal(DiagnosticCodes.MuslMixedWithGlibc, Assert.Single(_engine.Errors).Code);
        Assert.Null(task.ComputedContainerBaseImage);
    }
}
