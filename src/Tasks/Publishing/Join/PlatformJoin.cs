using Containers.Build.Model;

namespace Containers.Build.Publishing.Join;

/// <summary>One platform's image in the joined index: its manifest and config digests, the entry that named it, and whether it had to be copied into the repository.</summary>
/// <param name="Source">The join entry, as written (a facts file with the reference it records).</param>
/// <param name="Copied">False when the repository had it already (the runner pushed it there).</param>
public sealed record PlatformJoin(Platform Platform, Digest Digest, Digest ConfigDigest, string Source, bool Copied);
