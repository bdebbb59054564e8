using System.Xml;
using System.Xml.Linq;

namespace Containers.Build.SupplyChain;

/// <summary>
/// A package's declared license, from its nuspec in the NuGet packages folder
/// (<c>&lt;root&gt;/&lt;id&gt;/&lt;version&gt;/&lt;id&gt;.nuspec</c>, all lowercase as NuGet lays it out).
/// Only <c>&lt;license type="expression"&gt;</c> says what the license is; a license file, a licenseUrl or nothing
/// does not, and neither does a nuspec that is missing or unreadable: all of those are null, which the documents
/// write as "no assertion" rather than guess.
/// </summary>
internal static class NuspecLicense
{
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
    };

    public static string? Expression(string? packageRoot, string id, string version)
    {
        if (packageRoot is null)
        {
            return null;
        }
        var lowerId = id.ToLowerInvariant();
        var path = Path.Combine(packageRoot, lowerId, version.ToLowerInvariant(), lowerId + ".nuspec");
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            using var reader = XmlReader.Create(path, ReaderSettings);
            return ExpressionIn(XDocument.Load(reader));
        }
        catch (Exception e) when (e is XmlException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The expression of <c>package/metadata/license[@type='expression']</c>, by local names: the nuspec namespace changed over the years.</summary>
    internal static string? ExpressionIn(XDocument nuspec)
    {
        var license = nuspec.Root?
            .Elements().FirstOrDefault(e => e.Name.LocalName == "metadata")?
            .Elements().FirstOrDefault(e => e.Name.LocalName == "license");
        if (license is null || !string.Equals((string?)license.Attribute("type"), "expression", StringComparison.Ordinal))
        {
            return null;
        }
        var expression = license.Value.Trim();
        return expression.Length == 0 ? null : expression;
    }
}
