using System.Globalization;
using System.Text.RegularExpressions;

namespace Containers.Build.Tasks;

/// <summary>
/// Item lists given as properties, so the command line can set them (<c>-p:ContainerEnvironmentVariables="A=1;B=x=y"</c>,
/// <c>-p:ContainerPorts="8080;9000/udp"</c>): each entry becomes the item it stands for, and an entry naming the same
/// variable, label, port number, volume or directory as a project item replaces it — the command line beats the project file.
/// </summary>
public static partial class ImageRequestParser
{
    /// <summary>The properties that are item lists, and the item each entry becomes.</summary>
    public static readonly IReadOnlyDictionary<string, string> ListProperties = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ContainerEnvironmentVariables"] = "ContainerEnvironmentVariable",
        ["ContainerLabels"] = "ContainerLabel",
        ["ContainerPorts"] = "ContainerPort",
        ["ContainerVolumes"] = "ContainerVolume",
        ["ContainerLayers"] = "ContainerLayer",
        ["ContainerDirectories"] = "ContainerDirectory",
        ["ContainerAnnotations"] = "ContainerAnnotation",
    };

    public sealed partial record Inputs
    {
        /// <summary>
        /// The entries of the list properties, as MSBuild split them on ';': (property, entry still escaped), so that
        /// <c>%3D</c> in a name and <c>%3B</c> in a value stay what they are.
        /// </summary>
        public IReadOnlyList<(string Property, string Escaped)> ListEntries { get; init; } = [];
    }

    /// <summary>The inputs with the list properties' entries merged into the items they stand for (and no entries left, so merging twice changes nothing).</summary>
    internal static Inputs WithListProperties(Inputs inputs)
    {
        if (inputs.ListEntries.Count == 0)
        {
            return inputs;
        }
        string[] Entries(string property) => inputs.ListEntries.Where(e => e.Property == property).Select(e => e.Escaped.Trim()).Where(e => e.Length > 0).ToArray();

        var environment = Override(inputs.Environment, Entries("ContainerEnvironmentVariables").Select(e => NameAndValue("ContainerEnvironmentVariables", e)));
        var labels = Override(inputs.Labels, Entries("ContainerLabels").Select(e => NameAndValue("ContainerLabels", e)));
        var annotations = Override(inputs.Annotations, Entries("ContainerAnnotations").Select(e => NameAndValue("ContainerAnnotations", e)));
        // The port number is the item's identity (its Include; Type is metadata): entries replace the project's items for their numbers.
        var portEntries = Entries("ContainerPorts").Select(Unescape).ToArray();
        var entryNumbers = portEntries.Select(e => ParsePort(e, null).Number).ToHashSet();
        var ports = inputs.Ports.Where(p => !entryNumbers.Contains(ParsePort(p.Port, p.Type).Number)).Concat(portEntries.Select(e => (e, (string?)null))).ToArray();
        var volumes = inputs.Volumes.Concat(Entries("ContainerVolumes").Select(Unescape)).ToArray();
        var layers = inputs.ContainerLayers.Concat(Entries("ContainerLayers").Select(e => new ContainerLayerInput(Unescape(e), null))).ToArray();
        var directories = inputs.ContainerDirectories.ToList();
        foreach (var entry in Entries("ContainerDirectories").Select(Unescape))
        {
            directories.RemoveAll(d => d.Item.Trim().TrimEnd('/') == entry.TrimEnd('/'));
            directories.Add(new ContainerDirectoryInput(entry, null, null));
        }
        return inputs with
        {
            Environment = environment,
            Labels = labels,
            Annotations = annotations,
            Ports = ports,
            Volumes = volumes,
            ContainerLayers = layers,
            ContainerDirectories = directories,
            ListEntries = [],
        };
    }

    /// <summary>The items, with each entry replacing the item of its name (in place) or added after them.</summary>
    private static IReadOnlyList<KeyValuePair<string, string>> Override(IReadOnlyList<KeyValuePair<string, string>> items, IEnumerable<KeyValuePair<string, string>> entries)
    {
        var merged = items.ToList();
        foreach (var entry in entries)
        {
            merged.RemoveAll(i => i.Key == entry.Key);
            merged.Add(entry);
        }
        return merged;
    }

    /// <summary>NAME=VALUE, split at the first '=' the user wrote (an escaped <c>%3D</c> is part of the name or value).</summary>
    private static KeyValuePair<string, string> NameAndValue(string property, string escaped)
    {
        var equals = escaped.IndexOf('=');
        if (equals <= 0)
        {
            throw new ContainersBuildException(DiagnosticCodes.ListPropertyEntryInvalid,
                $"{property} has the entry '{Unescape(escaped)}', which is not NAME=VALUE{(equals == 0 ? " (its name is empty)" : "")}. Separate entries with ';' and write each as NAME=VALUE; a ';' in a value is written %3B, an '=' in a name %3D.");
        }
        return KeyValuePair.Create(Unescape(escaped[..equals]).Trim(), Unescape(escaped[(equals + 1)..]));
    }

    /// <summary>MSBuild's unescaping: every <c>%XX</c> (two hex digits) is the character it codes.</summary>
    internal static string Unescape(string escaped)
        => escaped.Contains('%') ? EscapePattern().Replace(escaped, m => ((char)int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString()) : escaped;

    [GeneratedRegex("%([0-9A-Fa-f]{2})")]
    private static partial Regex EscapePattern();
}
