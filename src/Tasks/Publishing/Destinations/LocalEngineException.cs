namespace Containers.Build.Publishing.Destinations;

/// <summary>A local container engine was asked for and cannot take the image: it is not usable at all, or its load failed.</summary>
public sealed class LocalEngineException(LocalEngine engine, string message, bool isUnusable) : Exception(message)
{
    public LocalEngine Engine { get; } = engine;

    /// <summary>True when the engine named in LocalRegistry does not answer at all (rather than failing to load).</summary>
    public bool IsUnusable { get; } = isUnusable;

    /// <summary>Why the engine is unusable (its probe's words), when <see cref="IsUnusable"/>.</summary>
    public string Diagnosis { get; init; } = "";

    public string Command => Engine == LocalEngine.Docker ? "docker" : "podman";
}
