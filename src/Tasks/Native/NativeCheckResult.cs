using Containers.Build.Model;

namespace Containers.Build.Native;

/// <summary>
/// What the native check of one platform image found, under the key of what it looked at (<see cref="NativeCheckRecord.KeyOf"/>):
/// the files that will not load, none when all will. The image records it, and a fresh runner takes it from there.
/// </summary>
public sealed record NativeCheckResult(Digest Key, IReadOnlyList<NativeDependencyFinding> Findings);
