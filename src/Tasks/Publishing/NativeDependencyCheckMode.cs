namespace Containers.Build.Publishing;

/// <summary>ContainerNativeDependencyCheck: what a native library that will not load in the image does to the publish.</summary>
public enum NativeDependencyCheckMode
{
    /// <summary>A coded warning per file (the default).</summary>
    Warn,
    /// <summary>The same, as errors: nothing is sent.</summary>
    Error,
    /// <summary>No check (and no base layers read for it).</summary>
    Off,
}
