namespace Containers.Build.SupplyChain;

/// <summary>The project being published, by the name and version the project gives it.</summary>
public sealed record SbomApp(string Name, string Version);
