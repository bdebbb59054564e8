using System.Text.Json;

namespace Containers.Build.Registry;

/// <summary>One entry of a registry's error body: <c>{"errors":[{"code":"...","message":"..."}]}</c>.</summary>
public sealed record RegistryError(string Code, string Message)
{
    public static IReadOnlyList<RegistryError> ParseBody(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return [];
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("errors", out var errors)
                || errors.ValueKind != JsonValueKind.Array)
            {
                return [];
            }
            return errors.EnumerateArray()
                .Where(e => e.ValueKind == JsonValueKind.Object)
                .Select(e => new RegistryError(
                    e.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString()! : "UNKNOWN",
                    e.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString()! : ""))
                .ToArray();
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public override string ToString() => string.IsNullOrEmpty(Message) ? Code : $"{Code}: {Message}";
}
