using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// A ContainerLayer item: the layers of another image (named like ContainerBaseImage: a registry reference, oci:,
/// oci-archive:, docker-archive:, containers-storage:, docker-daemon:) to put above the base and below the app —
/// all of them, or the one <paramref name="Digest"/> names (its blob digest or its diff_id).
/// </summary>
/// <param name="Item">The item's Include as written, for messages and the image's history.</param>
public sealed record LayerImport(string Item, BaseImageLocation Image, Digest? Digest);
