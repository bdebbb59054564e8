using Containers.Build.Layers;
using Containers.Build.Model;

namespace Containers.Build.Publishing;

/// <summary>One platform's publish output: the runtime identifier it was published for, its platform, its folder and how its files are layered.</summary>
public sealed record PlatformPublish(string RuntimeIdentifier, Platform Platform, string PublishDirectory, FileClassification Classification);
