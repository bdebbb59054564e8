namespace Containers.Build.SupplyChain;

/// <summary>
/// Names of settings that may hold a secret. The caller promises to pass no secrets into a provenance statement,
/// which is published next to the image; this is the second line: whatever is named like a password, token, secret,
/// key or credential is left out, whatever its value.
/// </summary>
internal static class SecretLikeNames
{
    private static readonly string[] Words = ["PASSWORD", "PWORD", "TOKEN", "SECRET", "KEY", "CREDENTIAL"];

    public static bool IsSecretLike(string name) => Words.Any(word => name.Contains(word, StringComparison.OrdinalIgnoreCase));
}
