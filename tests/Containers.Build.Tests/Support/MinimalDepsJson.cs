namespace Containers.Build.Tests.Support;

/// <summary>The smallest dependency manifest (App.deps.json) a publish writes: a runtime target with no libraries.</summary>
public static class MinimalDepsJson
{
    public static string For(string runtimeIdentifier)
        => $$$"""{"runtimeTarget":{"name":".NETCoreApp,Version=v10.0/{{{runtimeIdentifier}}}"},"targets":{".NETCoreApp,Version=v10.0/{{{runtimeIdentifier}}}":{}},"libraries":{}}""";
}
