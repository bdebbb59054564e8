using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;

namespace Containers.Build.Native;

/// <summary>
/// What an image's native check found, kept in the image itself: a history entry (no layer) "Containers.Build: native
/// libraries checked, none missing; check key sha256:…", or "…, 1 file(s) will not load; check key sha256:…; findings
/// [{"file":"/app/libSkiaSharp.so","missing":["libfontconfig.so.1"]}]". A fresh runner, whose empty store has no file
/// list of the base's layers, finds the entry in the image the tag already names and need not download the base to
/// check again: it says what the record says, warnings included (<see cref="Publishing.Stages.NativeDependencyStage"/>).
/// </summary>
/// <remarks>
/// The key is everything the check's answer depends on, with the record left out: the check's version, the platform,
/// the command (an apphost the image does not run is not checked), LD_LIBRARY_PATH, the diff_id of every base and
/// imported layer, and of the app's own layers what the check reads: each entry's path, kind and link target, and each
/// checked ELF file's headers (class, byte order, machine, type, interpreter, needed libraries, run paths, soname). So the
/// same key means the same answer; a change to the base, those settings, the app's file names or its native files gives
/// another key, and the check runs. A commit that changes only the app's managed code (the usual one) keeps the key:
/// a fresh runner takes the record of the image before it rather than download the base. An image whose check was off or skipped (a base layer it could not read) records nothing. The findings are
/// JSON at the end of the comment, so no file name can end the record early or forge a key.
/// </remarks>
public static class NativeCheckRecord
{
    /// <summary>Bumped whenever the check could answer differently for the same image (what it looks for, or where).</summary>
    private const string CheckVersion = "containers-build native-check 3";

    private const string CommentPrefix = "Containers.Build: native libraries checked, ";
    private const string KeyMarker = "; check key ";
    private const string FindingsMarker = "; findings ";

    /// <summary>The key of the check of <paramref name="config"/>'s image on <paramref name="platform"/>; any record the config holds does not count.</summary>
    /// <param name="otherLayers">The diff_ids of the base's and imported layers, in order.</param>
    /// <param name="appLayers">The app's own layers, as planned.</param>
    /// <param name="checkedFiles">The ELF files the check looks at, by image path.</param>
    public static Digest KeyOf(ImageConfig config, Platform platform, IEnumerable<Digest> otherLayers, IReadOnlyList<PlannedLayer> appLayers,
        IReadOnlyList<(string ImagePath, ElfFile Elf)> checkedFiles)
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
        foreach (var diffId in otherLayers)
        {
            text.Append("layer ").Append(diffId).Append('\n');
        }
        foreach (var layer in appLayers)
        {
            text.Append("app layer\n");
            foreach (var entry in layer.Entries)
            {
                text.Append(entry.Kind).Append(' ').Append(Escape(entry.ContainerPath)).Append(' ').Append(Escape(entry.LinkTarget ?? "")).Append('\n');
                if (LoaderConfiguration.TextOf(entry) is { } configuration)
                {
                    // What the loader is told by the app's own layers: the base's are named by their diff_ids.
                    text.Append("loader configuration ").Append(Escape(configuration)).Append('\n');
                }
            }
        }
        foreach (var (path, elf) in checkedFiles)
        {
            text.Append("elf ").Append(Escape(path))
                .Append(' ').Append(elf.Is64Bit ? 64 : 32).Append(elf.IsLittleEndian ? "le" : "be")
                .Append(' ').Append(elf.Machine).Append(' ').Append(elf.Type)
                .Append(" interpreter ").Append(Escape(elf.Interpreter ?? ""))
                .Append(" needed");
            foreach (var needed in elf.Needed)
            {
                text.Append(' ').Append(Escape(needed));
            }
            text.Append(" runpaths");
            foreach (var runPath in elf.RunPaths)
            {
                text.Append(' ').Append(Escape(runPath));
            }
            text.Append(" soname ").Append(Escape(elf.Soname ?? "")).Append('\n');
        }
        return Digest.Compute(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The history entry recording <paramref name="result"/>; it adds no layer.</summary>
    public static JsonObject HistoryEntry(NativeCheckResult result, string created)
    {
        var comment = new StringBuilder(CommentPrefix)
            .Append(result.Findings.Count == 0 ? "none missing" : $"{result.Findings.Count} file(s) will not load")
            .Append(KeyMarker).Append(result.Key);
        if (result.Findings.Count > 0)
        {
            comment.Append(FindingsMarker).Append(new JsonArray(result.Findings.Select(ToJson).ToArray<JsonNode?>()).ToJsonString());
        }
        return new JsonObject
        {
            ["created"] = created,
            ["created_by"] = ImageBuilder.CreatedBy,
            ["comment"] = comment.ToString(),
            ["empty_layer"] = true,
        };
    }

    /// <summary>Whether a history entry is such a record (a rebased image drops it: its base, and so its key, changed).</summary>
    public static bool IsRecord(JsonNode? entry) => ResultIn(entry) is not null;

    /// <summary>The checks <paramref name="config"/>'s history records (a record that does not parse is none).</summary>
    public static IReadOnlyList<NativeCheckResult> ResultsIn(ImageConfig config)
        => (config.ToJsonObject()["history"] as JsonArray)?.Select(ResultIn).OfType<NativeCheckResult>().ToArray() ?? [];

    private static NativeCheckResult? ResultIn(JsonNode? entry)
    {
        if (entry is not JsonObject item || Text(item["created_by"]) != ImageBuilder.CreatedBy || Text(item["comment"]) is not { } comment
            || !comment.StartsWith(CommentPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var marker = comment.IndexOf(KeyMarker, CommentPrefix.Length, StringComparison.Ordinal);
        const int keyLength = 71; // "sha256:" and 64 hex digits
        if (marker < 0 || comment.Length < marker + KeyMarker.Length + keyLength
            || !Digest.TryParse(comment.Substring(marker + KeyMarker.Length, keyLength), out var key))
        {
            return null;
        }
        var rest = comment[(marker + KeyMarker.Length + keyLength)..];
        if (rest.Length == 0)
        {
            return new NativeCheckResult(key, []);
        }
        if (!rest.StartsWith(FindingsMarker, StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            var findings = JsonNode.Parse(rest[FindingsMarker.Length..]) is JsonArray array ? array.Select(FromJson).ToArray() : null;
            return findings is { Length: > 0 } && findings.All(f => f is not null) ? new NativeCheckResult(key, findings!) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonObject ToJson(NativeDependencyFinding finding)
    {
        var json = new JsonObject
        {
            ["file"] = finding.ImagePath,
            ["missing"] = new JsonArray(finding.MissingLibraries.Select(name => (JsonNode?)JsonValue.Create(name)).ToArray()),
        };
        if (finding.MissingInterpreter is { } interpreter)
        {
            json["interpreter"] = interpreter;
        }
        if (finding.Libc is { } libc)
        {
            json["libc"] = new JsonObject { ["file"] = libc.File.ToString(), ["image"] = libc.Image.ToString() };
        }
        return json;
    }

    private static NativeDependencyFinding? FromJson(JsonNode? node)
    {
        if (node is not JsonObject json || Text(json["file"]) is not { } file || json["missing"] is not JsonArray missing)
        {
            return null;
        }
        var libraries = missing.Select(Text).ToArray();
        if (libraries.Any(name => name is null))
        {
            return null;
        }
        LibcMismatch? libc = null;
        if (json["libc"] is { } libcNode)
        {
            if (libcNode is not JsonObject mismatch || !Enum.TryParse<LibcFlavor>(Text(mismatch["file"]), out var fileLibc)
                || !Enum.TryParse<LibcFlavor>(Text(mismatch["image"]), out var imageLibc))
            {
                return null;
            }
            libc = new LibcMismatch(fileLibc, imageLibc);
        }
        return new NativeDependencyFinding(file, libraries!, Text(json["interpreter"]), libc);
    }

    /// <summary>Backslash, space and line feed escaped, so that no argument can pass for two or end a line.</summary>
    private static string Escape(string text) => text.Replace("\\", @"\\").Replace(" ", @"\s").Replace("\n", @"\n");

    private static string? Text(JsonNode? node) => JsonFields.TextOrNull(node);
}
