using Containers.Build.References;

namespace Containers.Build.Publishing;

/// <summary>One registry of several that did not take the image, and the failure that stopped it there.</summary>
public sealed record RegistryPushFailure(RegistryHost Registry, Exception Error);
