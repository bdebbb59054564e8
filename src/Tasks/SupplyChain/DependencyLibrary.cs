namespace Containers.Build.SupplyChain;

/// <summary>
/// One library of the app's runtime target: what it is, the SHA-512 of its .nupkg in lowercase hex (packages only;
/// deps.json keeps it as <c>sha512-&lt;base64&gt;</c>), and the libraries it depends on, sorted.
/// </summary>
internal sealed record DependencyLibrary(LibraryId Id, DependencyLibraryType Type, string? Sha512Hex, IReadOnlyList<LibraryId> Dependencies);
