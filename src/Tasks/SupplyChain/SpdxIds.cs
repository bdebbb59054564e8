using System.Text;

namespace Containers.Build.SupplyChain;

/// <summary>
/// The SPDXIDs of an inventory's components, which SPDX restricts to <c>SPDXRef-[A-Za-z0-9.-]+</c>: the role and the
/// name and version with every other character made '-'. Two components that come out the same (Foo_Bar and Foo+Bar)
/// are told apart by a counter, given in the inventory's order, so the same inventory always gets the same ids.
/// </summary>
internal sealed class SpdxIds
{
    public const string Document = "SPDXRef-DOCUMENT";

    private readonly Dictionary<string, string> _byKey = new(StringComparer.Ordinal);

    public SpdxIds(SoftwareInventory inventory)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal) { Document };
        foreach (var component in inventory.All)
        {
            var id = Base(component);
            for (var n = 2; !taken.Add(id); n++)
            {
                id = $"{Base(component)}-{n}";
            }
            _byKey[component.Key] = id;
        }
    }

    public string this[InventoryComponent component] => _byKey[component.Key];

    public string this[string key] => _byKey[key];

    private static string Base(InventoryComponent component) => component.Role switch
    {
        // One image and one base per document: their names (a repository, a reference) would only make the id long.
        ComponentRole.Image => "SPDXRef-Image",
        ComponentRole.BaseImage => "SPDXRef-BaseImage",
        ComponentRole.Application => $"SPDXRef-Application-{Sanitize(component.Name)}",
        ComponentRole.ProjectReference => $"SPDXRef-Project-{Sanitize(component.Name)}-{Sanitize(component.Version)}",
        ComponentRole.Runtime => $"SPDXRef-Runtime-{Sanitize(component.Name)}-{Sanitize(component.Version)}",
        _ => $"SPDXRef-Package-{Sanitize(component.Name)}-{Sanitize(component.Version)}",
    };

    internal static string Sanitize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "none";
        }
        var id = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            id.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-');
        }
        return id.ToString();
    }
}
