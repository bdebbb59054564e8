using System.Globalization;
using System.Text.RegularExpressions;
using Containers.Build.Images;

namespace Containers.Build.Tasks;

/// <summary>The rules for how the container runs: user, working directory, app command and its instruction.</summary>
public static partial class ImageRequestParser
{
    public sealed partial record Inputs
    {
        /// <summary>@(ContainerAppCommandArgs): arguments always passed to the app command.</summary>
        public IReadOnlyList<string> AppCommandArgs { get; init; } = [];

        /// <summary>@(ContainerDefaultArgs): arguments a caller can replace (the image's Cmd, or its end).</summary>
        public IReadOnlyList<string> DefaultArgs { get; init; } = [];

        /// <summary>ContainerAppCommandInstruction: Entrypoint (default), DefaultArgs or None.</summary>
        public string? AppCommandInstruction { get; init; }

        /// <summary>@(ContainerEntrypoint): the SDK's older way to set the image's Entrypoint.</summary>
        public IReadOnlyList<string> Entrypoint { get; init; } = [];

        /// <summary>@(ContainerEntrypointArgs): arguments after ContainerEntrypoint.</summary>
        public IReadOnlyList<string> EntrypointArgs { get; init; } = [];

        /// <summary>Which build labels (created, base.name, base.digest) the targets asked for.</summary>
        public LabelGeneration GeneratedLabels { get; init; } = LabelGeneration.None;

        /// <summary>@(ContainerRegistryMirror): the registry and its Mirror metadata.</summary>
        public IReadOnlyList<(string Registry, string? Mirror)> RegistryMirrors { get; init; } = [];

        /// <summary>CONTAINERS_BUILD_REGISTRY_MIRRORS, for CI.</summary>
        public string? RegistryMirrorsEnvironment { get; init; }

        /// <summary>ContainerUploadChunkSize, in bytes.</summary>
        public string? UploadChunkSize { get; init; }

        /// <summary>ContainerRegistryTimeout, in seconds.</summary>
        public string? RegistryTimeout { get; init; }

        /// <summary>ContainerInsecureRegistries (with DOTNET_CONTAINER_INSECURE_REGISTRIES's entries).</summary>
        public string? InsecureRegistries { get; init; }

        /// <summary>ContainerRegistryCaCertificates: a PEM bundle.</summary>
        public string? RegistryCaCertificates { get; init; }
    }

    /// <summary>The largest uid or gid: Linux ids are signed 32-bit in practice (podman and runc reject more).</summary>
    private const long MaxId = int.MaxValue;

    /// <summary>ContainerUser: a user name or uid, optionally with <c>:group</c> (a name or gid); null keeps the default (the base's APP_UID).</summary>
    internal static string? ParseUser(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var text = value.Trim();
        var parts = text.Split(':');
        if (parts.Length > 2)
        {
            throw UserError(value, "it has more than one ':'; write user or user:group");
        }
        foreach (var (part, what) in parts.Zip(new[] { "user", "group" }))
        {
            if (part.Length == 0)
            {
                throw UserError(value, $"the {what} is empty");
            }
            if (part.All(char.IsAsciiDigit))
            {
                if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id > MaxId)
                {
                    throw UserError(value, $"the {(what == "user" ? "uid" : "gid")} {part} is larger than {MaxId}");
                }
            }
            else if (!UserNamePattern().IsMatch(part))
            {
                throw UserError(value, $"'{part}' is neither a number nor a {what} name (letters, digits, '_', '.', '-', not starting with '-' or '.')");
            }
        }
        return text;
    }

    private static ContainersBuildException UserError(string value, string reason)
        => new(DiagnosticCodes.UserInvalid,
            $"ContainerUser '{value}' is not a user: {reason}. Use a name or a uid, optionally with a group: app, 1654, 1654:1654.");

    /// <summary>ContainerWorkingDirectory: an absolute path in the image; /app when empty.</summary>
    internal static string ParseWorkingDirectory(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "/app";
        }
        var text = value.Trim();
        if (!text.StartsWith('/') || text.Contains('\0') || text.Contains('\\'))
        {
            throw new ContainersBuildException(DiagnosticCodes.WorkingDirectoryInvalid,
                $"ContainerWorkingDirectory '{value}' is not an absolute Linux path. Use a path starting with '/', such as /app or /srv/app.");
        }
        // '/app/../etc' would put the app's files into /etc: a path says where it is without walking.
        if (text.Split('/').Any(segment => segment is "." or ".."))
        {
            throw new ContainersBuildException(DiagnosticCodes.WorkingDirectoryInvalid,
                $"ContainerWorkingDirectory '{value}' has a '.' or '..' segment, which would place the app's files elsewhere in the image. Write the directory itself, such as /app or /srv/app.");
        }
        // '/srv//app' is /srv/app; a layer entry has no empty segment.
        while (text.Contains("//", StringComparison.Ordinal))
        {
            text = text.Replace("//", "/", StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>
    /// The app command and where it goes, with the SDK's rules on what may be combined, including its older
    /// ContainerEntrypoint and ContainerEntrypointArgs items: with no instruction, ContainerEntrypointArgs alone are
    /// the app command's arguments (a warning says what to use instead), and a ContainerEntrypoint makes the app
    /// command the default arguments behind it (DefaultArgs).
    /// </summary>
    internal static ContainerCommand ParseCommand(Inputs inputs, Action<string, string>? warn = null)
    {
        var entrypoint = inputs.Entrypoint;
        var entrypointArgs = inputs.EntrypointArgs;
        var defaultArgs = inputs.DefaultArgs;
        AppCommandInstruction instruction;
        if (string.IsNullOrWhiteSpace(inputs.AppCommandInstruction) && (entrypoint.Count > 0 || entrypointArgs.Count > 0))
        {
            if (entrypoint.Count == 0 && defaultArgs.Count == 0 && inputs.AppCommandArgs.Count == 0)
            {
                warn?.Invoke(DiagnosticCodes.EntrypointArgsObsolete,
                    $"ContainerEntrypointArgs '{string.Join(";", entrypointArgs)}' is the SDK's older way to pass arguments: they become the image's default arguments (Cmd). Use ContainerAppCommandArgs for arguments always passed, or ContainerDefaultArgs for arguments a caller can replace.");
                defaultArgs = entrypointArgs;
                entrypointArgs = [];
                instruction = AppCommandInstruction.Entrypoint;
            }
            else
            {
                instruction = AppCommandInstruction.DefaultArgs;
            }
        }
        else
        {
            instruction = ParseInstruction(inputs.AppCommandInstruction);
        }
        if (instruction == AppCommandInstruction.Entrypoint && (entrypoint.Count > 0 || entrypointArgs.Count > 0))
        {
            throw new ContainersBuildException(DiagnosticCodes.EntrypointWithInstructionEntrypoint,
                $"ContainerEntrypoint/ContainerEntrypointArgs items are set, and ContainerAppCommandInstruction is Entrypoint, which makes the app command the Entrypoint: both cannot be. Remove the ContainerEntrypoint items (use ContainerAppCommand), or set ContainerAppCommandInstruction to DefaultArgs or None.");
        }
        if (entrypointArgs.Count > 0 && entrypoint.Count == 0)
        {
            throw new ContainersBuildException(DiagnosticCodes.EntrypointArgsWithoutEntrypoint,
                $"ContainerEntrypointArgs '{string.Join(";", entrypointArgs)}' are set but there is no ContainerEntrypoint to pass them to. Add a ContainerEntrypoint item, or use ContainerAppCommandArgs / ContainerDefaultArgs.");
        }
        if (instruction == AppCommandInstruction.None && (inputs.AppCommand.Count > 0 || inputs.AppCommandArgs.Count > 0))
        {
            var items = inputs.AppCommand.Count > 0 ? $"ContainerAppCommand '{string.Join(";", inputs.AppCommand)}'" : $"ContainerAppCommandArgs '{string.Join(";", inputs.AppCommandArgs)}'";
            throw new ContainersBuildException(DiagnosticCodes.AppCommandWithInstructionNone,
                $"ContainerAppCommandInstruction is None, which leaves the start command to the base image, but {items} is set and would be ignored. Remove the items, or set ContainerAppCommandInstruction to Entrypoint or DefaultArgs.");
        }
        if (inputs.AppCommandArgs.Count > 0 && inputs.AppCommand.Count == 0)
        {
            throw new ContainersBuildException(DiagnosticCodes.AppCommandArgsWithoutAppCommand,
                $"ContainerAppCommandArgs '{string.Join(";", inputs.AppCommandArgs)}' are set but there is no ContainerAppCommand to pass them to. Add a ContainerAppCommand item, or use ContainerDefaultArgs for arguments to the base image's command.");
        }
        return new ContainerCommand(inputs.AppCommand, inputs.AppCommandArgs, defaultArgs, instruction) { Entrypoint = entrypoint, EntrypointArgs = entrypointArgs };
    }

    private static AppCommandInstruction ParseInstruction(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return AppCommandInstruction.Entrypoint;
        }
        return value.Trim().ToLowerInvariant() switch
        {
            "entrypoint" => AppCommandInstruction.Entrypoint,
            "defaultargs" => AppCommandInstruction.DefaultArgs,
            "none" => AppCommandInstruction.None,
            _ => throw new ContainersBuildException(DiagnosticCodes.AppCommandInstructionInvalid,
                $"ContainerAppCommandInstruction '{value}' is not an instruction. Use Entrypoint (the app command is the image's entrypoint, the default), DefaultArgs (it is the default arguments of the base image's entrypoint) or None (the base image's command is kept)."),
        };
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,255}\$?\z")]
    private static partial Regex UserNamePattern();
}
