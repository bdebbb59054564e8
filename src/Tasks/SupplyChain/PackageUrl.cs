using System.Text;
using Containers.Build.Model;

namespace Containers.Build.SupplyChain;

/// <summary>
/// Package URLs (purl, github.com/package-url/purl-spec) for what the documents name. Names and versions are
/// percent-encoded except for the unreserved characters, so an image digest reads <c>sha256%3A...</c> as the oci type's
/// examples write it; qualifier values also keep ':' and '/' (<c>repository_url=docker.io/library/debian</c>, as there),
/// and qualifiers are sorted by key, as the canonical form wants.
/// </summary>
internal static class PackageUrl
{
    /// <summary><c>pkg:nuget/Id@Version</c>, the id as deps.json writes it: the nuget type keeps case.</summary>
    public static string NuGet(string id, string version) => $"pkg:nuget/{Encode(id)}@{Encode(version)}";

    /// <summary>
    /// A shared framework installed in the base image rather than restored from NuGet, so no NuGet package names it:
    /// <c>pkg:generic/dotnet/Microsoft.NETCore.App@10.0.12</c>.
    /// </summary>
    public static string SharedFramework(string name, string version) => $"pkg:generic/dotnet/{Encode(name)}@{Encode(version)}";

    /// <summary>
    /// <c>pkg:oci/&lt;name&gt;@sha256%3A...?arch=...&amp;repository_url=...&amp;tag=...</c>: the oci type has no namespace; its
    /// name is the repository's last segment, lowercase, and where the image can be found goes in repository_url.
    /// </summary>
    public static string Oci(string name, Digest? digest, string? architecture, string? repositoryUrl, string? tag)
    {
        var purl = new StringBuilder("pkg:oci/").Append(Encode(name.ToLowerInvariant()));
        if (digest is not null)
        {
            purl.Append('@').Append(Encode(digest.ToString()));
        }
        var qualifiers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (architecture is not null)
        {
            qualifiers["arch"] = architecture;
        }
        if (repositoryUrl is not null)
        {
            qualifiers["repository_url"] = repositoryUrl;
        }
        if (tag is not null)
        {
            qualifiers["tag"] = tag;
        }
        var separator = '?';
        foreach (var (key, value) in qualifiers)
        {
            purl.Append(separator).Append(key).Append('=').Append(Encode(value, keep: ":/"));
            separator = '&';
        }
        return purl.ToString();
    }

    private static string Encode(string text, string keep = "")
    {
        var encoded = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '~' || keep.Contains(c)))
            {
                encoded.Append(c);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return encoded.ToString();
    }
}
