namespace Containers.Build.SupplyChain;

/// <summary>A deps.json or runtimeconfig.json that exists but does not read as the SDK writes it.</summary>
public sealed class SbomSourceException(string path, string message) : Exception($"{path}: {message}")
{
    public string Path { get; } = path;
}
