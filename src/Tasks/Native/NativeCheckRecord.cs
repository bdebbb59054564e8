using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;

namespace Containers.Build.Native;

/// <summary>
/// That an image's native files were checked and nothing was missing, kept in the image itself: a history entry
/// (no layer) "Containers.Build: native libraries checked, none missing; check key sha256:…". A fresh runner, whose
/// empty store has no file list of the base's layers, finds the entry in the image the tag already names and need not
/// download the base to check again (<see cref="Publishing.Stages.NativeDependencyStage"/>).
/// </summary>
/// <remarks>
/// The key is everything the check's answer depends on, read from the image's config with the record left out: the
/// check's version, the platform, the command (an apphost the image does not run is not checked), LD_LIBRARY_PATH and
/// every layer's diff_id, the base's and imported ones included. So the same key means the same files under the same
/// settings, and the same answer; any change to the app, the base or those settings gives another key, and the check
/// runs. Only a clean check is recorded: a check with findings runs again, so its warnings are never lost, and an image
/// whose check was off or skipped records nothing.
/// </remarks>
public static class NativeCheckRecord
{
    /// <summary>Bumped whenever the check could answer differently for the same image (what it looks for, or where).</summary>
    private const string CheckVersion = "containers-build native-check 1";

    private const string CommentPrefix = "Containers.Build: native libraries checked, none missing; check key ";

    /// <summary>The key of <paramref name="config"/>'s check on <paramref name="platform"/>; any record the config holds does not count.</summary>
    public static Digest KeyOf(ImageConfig config, Platform platform)
    {
        var text = new StringBuilder()
            .Append(CheckVersion).Append('\n')
            .Append("platform ").Append(Escape(platform.ToString())).Append('\n')
            .Append("process");
        foreach (var argument in config.Process)
        {
            text.Append(' ').Append(Escape(argument));
        }
        text.Append('\n').Append("LD_LIBRARY_PATH ").Append(Escape(config.Environment.GetValueOrDefault("LD_LIBRARY_PATH") ?? "")).Append('\n');
        foreach (var diffId in config.DiffIds)
        {
            text.Append("layer ").Append(diffId).Append('\n');
        }
        return Digest.Compute(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The history entry recording a clean check with <paramref name="key"/>; it adds no layer.</summary>
    public static JsonObject HistoryEntry(Digest key, string created) => new()
    {
        ["created"] = created,
        ["created_by"] = ImageBuilder.CreatedBy,
        ["comment"] = CommentPrefix + key,
        ["empty_layer"] = true,
    };

    /// <summary>Whether a history entry is such a record (a rebased image drops it: its base, and so its key, changed).</summary>
    public static bool IsRecord(JsonNode? entry) => KeyIn(entry) is not null;

    /// <summary>The keys of the clean checks <paramref name="config"/>'s history records.</summary>
    public static IReadOnlyList<Digest> KeysIn(ImageConfig config)
        => (config.ToJsonObject()["history"] as JsonArray)?.Select(KeyIn).OfType<Digest>().ToArray() ?? [];

    private static Digest? KeyIn(JsonNode? entry)
    {
        if (entry is not JsonObject item || Text(item["created_by"]) != ImageBuilder.CreatedBy || Text(item["comment"]) is not { } comment
            || !comment.StartsWith(CommentPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        return Digest.TryParse(comment[CommentPrefix.Length..], out var key) ? key : null;
    }

    /// <summary>Backslash, space and line feed escaped, so that no argument can pass for two or end a line.</summary>
    private static string Escape(string text) => text.Replace("\\", @"\\").Replace(" ", @"\s").Replace("\n", @"\n");

    private static string? Text(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
