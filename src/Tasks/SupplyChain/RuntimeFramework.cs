namespace Containers.Build.SupplyChain;

/// <summary>A shared framework a runtimeconfig.json names: <c>Microsoft.NETCore.App</c>, <c>Microsoft.AspNetCore.App</c>, ...</summary>
internal sealed record RuntimeFramework(string Name, string Version);
