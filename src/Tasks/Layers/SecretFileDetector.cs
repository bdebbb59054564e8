using System.Text.Json;

namespace Containers.Build.Layers;

/// <summary>
/// Finds published files that hold secrets, so the user hears about them before they ship in an image. Judged by
/// name where the name says it all (a .pfx, an SSH private key, a .env file, user secrets) and by content
/// otherwise: a PEM private key in any small text file, or JSON whose keys name a password, secret, token, API
/// key or connection string with a non-empty value. A template's appsettings.Development.json (logging levels
/// only) is not a secret. The content is judged from the read that hashes or tars each file (<see cref="SecretScan"/>).
/// </summary>
public static class SecretFileDetector
{
    private static readonly string[] SecretExtensions = [".pfx", ".p12", ".key", ".jks", ".keystore"];
    private static readonly string[] PrivateKeyFileNames = ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"];

    /// <summary>Only small text files are judged by content: secrets are small, and the publish folder can be large.</summary>
    public const int MaxContentBytes = 1024 * 1024;

    private static readonly string[] TextExtensions = [".pem", ".crt", ".cer", ".txt", ".config", ".xml", ".yaml", ".yml", ".ini", ".conf", ".properties", ".env"];

    // Files the SDK writes, whose keys are never secrets.
    private static readonly string[] GeneratedJsonSuffixes = [".deps.json", ".runtimeconfig.json", ".staticwebassets.endpoints.json", ".staticwebassets.runtime.json"];

    private static readonly string[] SecretKeyWords = ["password", "passwd", "pwd", "secret", "apikey", "connectionstring", "privatekey", "accesskey", "clientsecret"];

    /// <summary>Whether the name alone says the file is a secret.</summary>
    /// <remarks>The names are spans, as they are for the layer writer's every file: a substring each is 2.4 MB of garbage on a folder of 50,000.</remarks>
    public static bool NameSaysSecret(ReadOnlySpan<char> fileName)
        => fileName.Equals(".env", StringComparison.OrdinalIgnoreCase)
           || (fileName.StartsWith(".env.", StringComparison.OrdinalIgnoreCase) && !fileName.EndsWith(".example", StringComparison.OrdinalIgnoreCase))
           || fileName.Equals("secrets.json", StringComparison.OrdinalIgnoreCase)
           || IsAnyOf(fileName, PrivateKeyFileNames)
           || EndsWithAny(fileName, SecretExtensions);

    /// <summary>Whether a file of this name is judged by its content (<see cref="ContentSaysSecret"/>): small text files and JSON the SDK did not generate.</summary>
    public static bool ContentTells(ReadOnlySpan<char> fileName)
        => EndsWithAny(fileName, TextExtensions) || IsJudgedJson(fileName);

    /// <summary>Whether the whole content of a file <see cref="ContentTells"/> about holds a private key, or (JSON) a secret value.</summary>
    public static bool ContentSaysSecret(ReadOnlySpan<char> fileName, ReadOnlySpan<byte> content)
        => HasPrivateKey(content) || (IsJudgedJson(fileName) && HasSecretValue(content));

    private static bool IsJudgedJson(ReadOnlySpan<char> fileName)
        => fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !EndsWithAny(fileName, GeneratedJsonSuffixes);

    // A loop, not Any with a lambda: asked for every file of the layer (50,000 of them, say), a closure each time adds up.
    private static bool EndsWithAny(ReadOnlySpan<char> fileName, string[] suffixes)
    {
        foreach (var suffix in suffixes)
        {
            if (fileName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsAnyOf(ReadOnlySpan<char> fileName, string[] names)
    {
        foreach (var name in names)
        {
            if (fileName.SequenceEqual(name))
            {
                return true;
            }
        }
        return false;
    }

    private static bool HasPrivateKey(ReadOnlySpan<byte> content)
        => content.IndexOf("PRIVATE KEY-----"u8) >= 0;

    /// <summary>A JSON document with a non-empty string under a key that names a secret, or under ConnectionStrings.</summary>
    public static bool HasSecretValue(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException)
        {
            return false;
        }
        using (document)
        {
            return Scan(document.RootElement, underConnectionStrings: false);
        }
    }

    private static bool Scan(JsonElement element, bool underConnectionStrings)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var key = new string(property.Name.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
                    var namesSecret = underConnectionStrings || SecretKeyWords.Any(key.Contains) || key.EndsWith("token", StringComparison.Ordinal);
                    if (namesSecret && property.Value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(property.Value.GetString()))
                    {
                        return true;
                    }
                    if (Scan(property.Value, key == "connectionstrings"))
                    {
                        return true;
                    }
                }
                return false;
            case JsonValueKind.Array:
                return element.EnumerateArray().Any(item => Scan(item, underConnectionStrings));
            default:
                return false;
        }
    }
}
