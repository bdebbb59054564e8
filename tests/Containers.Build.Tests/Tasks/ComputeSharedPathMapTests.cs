using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Tasks;

public class ComputeSharedPathMapTests
{
    private static string Run(string? pathMap)
    {
        var task = new ComputeSharedPathMap
        {
            BuildEngine = new FakeBuildEngine(),
            PathMap = pathMap,
            From = "/src/app/obj/Release/net10.0/linux-arm64/",
            To = "/src/app/obj/Release/net10.0/",
        };
        Assert.True(task.Execute());
        return task.Result;
    }

    [Fact]
    public void The_platform_folder_is_mapped_first_to_the_folder_without_the_runtime_identifier()
        => Assert.Equal("/src/app/obj/Release/net10.0/linux-arm64/=/src/app/obj/Release/net10.0/", Run(null));

    [Fact]
    public void The_target_goes_through_the_existing_map_which_stays_behind_it()
        => Assert.Equal("/src/app/obj/Release/net10.0/linux-arm64/=/_/obj/Release/net10.0/,/src/app/=/_/,/root/.nuget/packages/=/_1/",
            Run("/src/app/=/_/,/root/.nuget/packages/=/_1/"));

    [Fact]
    public void Commas_and_equals_signs_in_paths_stay_escaped_as_the_compiler_reads_them()
    {
        var task = new ComputeSharedPathMap
        {
            BuildEngine = new FakeBuildEngine(),
            PathMap = "/src/a,,b==c/=/_/,/root/.nuget/packages/=/_1/",
            From = "/src/a,b=c/obj/Release/net10.0/linux-arm64/",
            To = "/src/a,b=c/obj/Release/net10.0/",
        };
        Assert.True(task.Execute());
        Assert.Equal("/src/a,,b==c/obj/Release/net10.0/linux-arm64/=/_/obj/Release/net10.0/,/src/a,,b==c/=/_/,/root/.nuget/packages/=/_1/", task.Result);
        Assert.Equal([("/src/a,b=c/", "/_/"), ("/root/.nuget/packages/", "/_1/")], ComputeSharedPathMap.Parse(task.PathMap));
    }
}
