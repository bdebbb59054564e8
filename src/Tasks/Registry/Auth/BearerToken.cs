using System.Text.Json;

namespace Containers.Build.Registry.Auth;

/// <summary>A token from a registry's token service, with when it stops being usable.</summary>
internal sealed record BearerToken(string Value, DateTimeOffset ExpiresAt)
{
    // The token spec's default lifetime when the reply gives none.
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);

    // Renew a little early so a token never expires between being checked and being used.
    public bool IsUsable(DateTimeOffset now) => now < ExpiresAt - TimeSpan.FromSeconds(10);

    public static BearerToken Parse(string json, DateTimeOffset now)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string? value = null;
        if (root.TryGetProperty("token", out var token) && token.ValueKind == JsonValueKind.String)
        {
            value = token.GetString();
        }
        if (string.IsNullOrEmpty(value) && root.TryGetProperty("access_token", out var accessToken) && accessToken.ValueKind == JsonValueKind.String)
        {
            value = accessToken.GetString();
        }
        if (string.IsNullOrEmpty(value))
        {
            throw new JsonException("The token service's reply has neither 'token' nor 'access_token'.");
        }
        var lifetime = root.TryGetProperty("expires_in", out var expires) && expires.TryGetInt32(out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : DefaultLifetime;
        return new BearerToken(value, now + lifetime);
    }
}
