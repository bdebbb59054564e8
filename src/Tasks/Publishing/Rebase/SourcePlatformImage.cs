using Containers.Build.Model;

namespace Containers.Build.Publishing.Rebase;

/// <summary>One platform's image as it is in the registry now, and the base it records.</summary>
internal sealed record SourcePlatformImage(Platform Platform, ImageManifest Manifest, ImageConfig Config, RecordedBase Base);
