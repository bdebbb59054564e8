namespace Containers.Build.Registry.Auth;

/// <summary>A parsed WWW-Authenticate challenge: a scheme (Basic, Bearer) and its parameters (realm, service, scope).</summary>
public sealed record AuthenticationChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? Realm => Parameters.GetValueOrDefault("realm");
    public string? Service => Parameters.GetValueOrDefault("service");
    public string? Scope => Parameters.GetValueOrDefault("scope");

    /// <summary>
    /// Every challenge of WWW-Authenticate header values: a header may hold several (<c>Negotiate, Basic realm="r"</c>),
    /// and a response may have several headers. A token68 (<c>Negotiate abc==</c>) is not kept: no scheme used here has one.
    /// </summary>
    public static IReadOnlyList<AuthenticationChallenge> ParseAll(IEnumerable<string> headerValues)
    {
        var challenges = new List<AuthenticationChallenge>();
        foreach (var text in headerValues)
        {
            string? scheme = null;
            var parameters = new System.Text.StringBuilder();
            var i = 0;
            while (i < text.Length)
            {
                while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
                {
                    i++;
                }
                var start = i;
                while (i < text.Length && text[i] != ',' && text[i] != '=' && !char.IsWhiteSpace(text[i]))
                {
                    i++;
                }
                var token = text[start..i];
                var j = i;
                while (j < text.Length && char.IsWhiteSpace(text[j]))
                {
                    j++;
                }
                if (token.Length == 0)
                {
                    // A stray '=' (the padding of a token68): skip it.
                    i = Math.Max(i + 1, j);
                    continue;
                }
                if (j < text.Length && text[j] == '=' && scheme is not null)
                {
                    // name=value (a quoted value may hold commas): one parameter of the current challenge.
                    i = j + 1;
                    while (i < text.Length && char.IsWhiteSpace(text[i]))
                    {
                        i++;
                    }
                    var valueStart = i;
                    if (i < text.Length && text[i] == '"')
                    {
                        i++;
                        while (i < text.Length && text[i] != '"')
                        {
                            i += text[i] == '\\' ? 2 : 1;
                        }
                        i = Math.Min(i + 1, text.Length);
                    }
                    else
                    {
                        while (i < text.Length && text[i] != ',')
                        {
                            i++;
                        }
                    }
                    parameters.Append(parameters.Length > 0 ? "," : "").Append(token).Append('=').Append(text[valueStart..i].Trim());
                    continue;
                }
                // A token not followed by '=': the next challenge's scheme.
                if (scheme is not null && Parse(scheme, parameters.ToString()) is { } finished)
                {
                    challenges.Add(finished);
                }
                scheme = token;
                parameters.Clear();
                i = j;
            }
            if (scheme is not null && Parse(scheme, parameters.ToString()) is { } last)
            {
                challenges.Add(last);
            }
        }
        return challenges;
    }

    /// <summary>Parses <c>Bearer realm="https://auth",service="registry",scope="repository:a:pull,push"</c>.</summary>
    public static AuthenticationChallenge? Parse(string scheme, string? parameters)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var text = parameters ?? "";
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }
            var nameStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',')
            {
                i++;
            }
            var name = text[nameStart..i].Trim();
            if (i >= text.Length || text[i] != '=')
            {
                continue;
            }
            i++; // '='
            string value;
            if (i < text.Length && text[i] == '"')
            {
                i++;
                var builder = new System.Text.StringBuilder();
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }
                    builder.Append(text[i]);
                    i++;
                }
                i++; // closing quote
                value = builder.ToString();
            }
            else
            {
                var valueStart = i;
                while (i < text.Length && text[i] != ',')
                {
                    i++;
                }
                value = text[valueStart..i].Trim();
            }
            if (name.Length > 0)
            {
                values[name] = value;
            }
        }
        return string.IsNullOrEmpty(scheme) ? null : new AuthenticationChallenge(scheme, values);
    }
}
