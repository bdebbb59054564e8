using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Images;

/// <summary>The base image exists but has no manifest for a platform the app is built for.</summary>
public sealed class PlatformNotFoundException(ImageReference reference, IReadOnlyList<Platform> wanted, IEnumerable<Platform> available)
    : Exception($"The base image {reference} has no {string.Join(" or ", wanted.Select(p => p.ToString()))} variant; it offers {FormatAvailable(available)}.")
{
    private static string FormatAvailable(IEnumerable<Platform> available)
    {
        var list = available.Select(p => p.ToString()).Distinct().ToArray();
        return list.Length == 0 ? "no platform information" : string.Join(", ", list);
    }
}
