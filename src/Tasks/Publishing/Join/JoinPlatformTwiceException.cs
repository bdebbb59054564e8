using Containers.Build.Model;

namespace Containers.Build.Publishing.Join;

/// <summary>Two different images to join are for the same platform: an index holds one image per platform, and which one is meant cannot be told.</summary>
public sealed class JoinPlatformTwiceException(Platform platform, string first, Digest firstDigest, string second, Digest secondDigest)
    : Exception($"Two images to join are for {platform}: {firstDigest} from {first}, and {secondDigest} from {second}. An image index holds one image per platform.")
{
    public Platform Platform { get; } = platform;
}
