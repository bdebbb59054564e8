using Containers.Build.Layers;

namespace Containers.Build.Tasks;

/// <summary>What the task is told about one platform's publish: its runtime identifier, folder and publish items.</summary>
public sealed record PlatformInput(string RuntimeIdentifier, string? PublishDirectory, IReadOnlyList<PublishItem> PublishItems, IReadOnlyList<string> StaticWebAssetPaths);
