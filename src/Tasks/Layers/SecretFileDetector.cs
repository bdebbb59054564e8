namespace Containers.Build.Layers;

/// <summary>Finds published files that look like secrets, so the user hears about them before they ship in an image.</summary>
public static class SecretFileDetector
{
    private static readonly string[] SecretExtensions = [".pfx", ".p12", ".key", ".pem"];

    public static bool LooksLikeSecret(string fileName)
        => fileName.Equals(".env", StringComparison.OrdinalIgnoreCase)
           || fileName.StartsWith(".env.", StringComparison.OrdinalIgnoreCase)
           || fileName.Equals("appsettings.Development.json", StringComparison.OrdinalIgnoreCase)
           || SecretExtensions.Any(e => fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    public static IReadOnlyList<string> Find(IEnumerable<PlannedLayer> layers)
        => layers.SelectMany(l => l.Entries)
            .Where(e => e.Kind == LayerEntryKind.File && LooksLikeSecret(Path.GetFileName(e.ContainerPath)))
            .Select(e => "/" + e.ContainerPath)
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToArray();
}
