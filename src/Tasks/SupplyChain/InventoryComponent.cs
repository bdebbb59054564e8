using Containers.Build.Model;

namespace Containers.Build.SupplyChain;

/// <summary>
/// One thing an SBOM names, in the terms both formats share. <see cref="Key"/> is unique in its inventory: the purl when
/// there is one (CycloneDX's bom-ref), else <c>role:name@version</c>. <see cref="Sha512Hex"/> is a package's .nupkg
/// hash; <see cref="Digest"/> an image's manifest digest; <see cref="License"/> a declared SPDX license expression,
/// null when nothing declares one.
/// </summary>
internal sealed record InventoryComponent(ComponentRole Role, string Key, string Name, string? Version)
{
    public string? Purl { get; init; }
    public string? Sha512Hex { get; init; }
    public Digest? Digest { get; init; }
    public string? License { get; init; }
}
