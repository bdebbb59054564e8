using Containers.Build.References;

namespace Containers.Build.Images;

/// <summary>Where a blob already is: a registry can link it into another of its repositories instead of receiving it again.</summary>
public sealed record MountSource(RegistryHost Registry, string Repository);
