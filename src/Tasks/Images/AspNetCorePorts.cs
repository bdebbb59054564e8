using System.Globalization;
using System.Text.RegularExpressions;

namespace Containers.Build.Images;

/// <summary>
/// The ports an ASP.NET Core app listens on, read from the image's final environment as Kestrel reads it:
/// ASPNETCORE_URLS when set (it wins over the others), else ASPNETCORE_HTTP_PORTS and ASPNETCORE_HTTPS_PORTS.
/// </summary>
public static partial class AspNetCorePorts
{
    public static IEnumerable<ExposedPort> FromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        if (environment.TryGetValue("ASPNETCORE_URLS", out var urls) && !string.IsNullOrWhiteSpace(urls))
        {
            foreach (var url in Split(urls))
            {
                // scheme://host:port[/path], where host may be *, + or [::]; a URL without a port names none.
                var match = UrlPattern().Match(url);
                if (match.Success && TryPort(match.Groups["port"].Value, out var port))
                {
                    yield return new ExposedPort(port);
                }
            }
            yield break;
        }
        foreach (var name in new[] { "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS" })
        {
            if (!environment.TryGetValue(name, out var value))
            {
                continue;
            }
            foreach (var part in Split(value))
            {
                if (TryPort(part, out var port))
                {
                    yield return new ExposedPort(port);
                }
            }
        }
    }

    private static IEnumerable<string> Split(string value) => value.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool TryPort(string text, out int port)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*://(?:\[[^\]]*\]|[^/:]*):(?<port>\d+)(?:/.*)?\z")]
    private static partial Regex UrlPattern();
}
