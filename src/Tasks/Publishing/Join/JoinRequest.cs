using Containers.Build.References;

namespace Containers.Build.Publishing.Join;

/// <summary>Which platform images to join, and where the index of them goes.</summary>
/// <param name="Registry">The registry the index is pushed to (ContainerRegistry); images from elsewhere are copied there.</param>
/// <param name="Repository">The repository of the index (ContainerRepository); images from elsewhere are copied into it by digest.</param>
/// <param name="Tags">The tags put on the index, last (at least one).</param>
/// <param name="Sources">The images, in the order given; an index among them brings each of its platforms' images.</param>
/// <param name="ContentStoreDirectory">Where blobs copied from another registry or a layout are kept on the way.</param>
/// <param name="FactsPath">Where the facts of the joined image are written; null for none.</param>
public sealed record JoinRequest(RegistryHost Registry, string Repository, IReadOnlyList<string> Tags, IReadOnlyList<JoinSource> Sources,
    string ContentStoreDirectory, string? FactsPath = null);
