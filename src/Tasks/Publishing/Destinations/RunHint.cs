using Containers.Build.Images;

namespace Containers.Build.Publishing.Destinations;

/// <summary>The command a summary suggests to run a loaded image: with a -p mapping for every port it exposes.</summary>
internal static class RunHint
{
    public static string For(string command, BuiltImage image, string name)
    {
        var ports = image.Config.ExposedPorts.Select(PortMapping).OfType<string>();
        return string.Join(' ', new[] { command, "run", "--rm" }.Concat(ports).Append(name));
    }

    // 8080/tcp → -p 8080:8080; 53/udp → -p 53:53/udp; a key that is not a port is left out.
    private static string? PortMapping(string key)
    {
        var slash = key.IndexOf('/');
        var number = slash < 0 ? key : key[..slash];
        var protocol = slash < 0 ? "tcp" : key[(slash + 1)..];
        if (!int.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return null;
        }
        return protocol == "tcp" ? $"-p {port}:{port}" : $"-p {port}:{port}/{protocol}";
    }
}
