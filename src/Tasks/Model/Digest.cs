using System.Security.Cryptography;

namespace Containers.Build.Model;

/// <summary>A content address: <c>sha256:&lt;64 lowercase hex&gt;</c>.</summary>
public sealed record Digest
{
    private const string Sha256Prefix = "sha256:";

    private Digest(string hex)
    {
        Hex = hex;
    }

    public string Algorithm => "sha256";

    /// <summary>The 64 lowercase hex characters after the algorithm.</summary>
    public string Hex { get; }

    public static Digest Parse(string value)
    {
        if (!TryParse(value, out var digest))
        {
            throw new FormatException($"'{value}' is not a sha256 digest (expected sha256: followed by 64 lowercase hex characters).");
        }
        return digest;
    }

    public static bool TryParse(string? value, out Digest digest)
    {
        digest = null!;
        if (value is null || !value.StartsWith(Sha256Prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var hex = value.Substring(Sha256Prefix.Length);
        if (hex.Length != 64 || !hex.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'))
        {
            return false;
        }
        digest = new Digest(hex);
        return true;
    }

    public static Digest FromHash(byte[] sha256) => new(Convert.ToHexStringLower(sha256));

    public static Digest Compute(ReadOnlySpan<byte> content) => FromHash(SHA256.HashData(content));

    public static async Task<Digest> ComputeAsync(Stream content, CancellationToken cancellationToken)
        => FromHash(await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false));

    public override string ToString() => Sha256Prefix + Hex;
}
