namespace Containers.Build.SupplyChain;

/// <summary>A repository URL as provenance may publish it.</summary>
internal static class GitUrl
{
    /// <summary>
    /// The URL without credentials: CI clones often carry a token in their remote
    /// (<c>https://gitlab-ci-token:TOKEN@gitlab.example.com/group/app.git</c>, <c>https://TOKEN@github.com/org/app.git</c>),
    /// and a statement published next to the image must not. So an http(s) URL loses its user info whole, and any URL
    /// its password; an ssh user name alone (<c>git@</c>) is kept, since it is not a secret and the URL needs it. An
    /// scp-like remote (<c>git@github.com:org/app.git</c>) becomes the ssh URL it means, so the result is a URI. A leading
    /// <c>git+</c> is dropped, since the statement adds its own.
    /// </summary>
    public static string WithoutCredentials(string url)
    {
        var text = url.StartsWith("git+", StringComparison.Ordinal) ? url[4..] : url;
        var schemeSeparator = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeSeparator < 0)
        {
            var colon = text.IndexOf(':');
            return colon > 0 && !text[..colon].Contains('/') && !text[..colon].Contains(':')
                ? $"ssh://{text[..colon]}/{text[(colon + 1)..].TrimStart('/')}"
                : text;
        }
        var authorityStart = schemeSeparator + 3;
        var pathStart = text.IndexOf('/', authorityStart);
        var authorityEnd = pathStart < 0 ? text.Length : pathStart;
        var at = text.LastIndexOf('@', authorityEnd - 1, authorityEnd - authorityStart);
        if (at < 0)
        {
            return text;
        }
        var userInfo = text[authorityStart..at];
        var scheme = text[..schemeSeparator];
        var isSsh = scheme.Equals("ssh", StringComparison.OrdinalIgnoreCase);
        if (isSsh && !userInfo.Contains(':'))
        {
            return text;
        }
        var user = isSsh ? userInfo[..userInfo.IndexOf(':')] + "@" : "";
        return text[..authorityStart] + user + text[(at + 1)..];
    }
}
