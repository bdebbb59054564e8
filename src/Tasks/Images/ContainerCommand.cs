using System.Text.Json.Nodes;

namespace Containers.Build.Images;

/// <summary>ContainerAppCommandInstruction: where the app command goes in the image.</summary>
public enum AppCommandInstruction
{
    /// <summary>The app command and its arguments are the Entrypoint; ContainerDefaultArgs are the Cmd (the default).</summary>
    Entrypoint,

    /// <summary>The base image's Entrypoint stays; the app command, its arguments and ContainerDefaultArgs are the Cmd.</summary>
    DefaultArgs,

    /// <summary>No app command: the base image's Entrypoint stays, and its Cmd unless ContainerDefaultArgs are given.</summary>
    None,
}

/// <summary>
/// How the container starts, as the .NET SDK's ContainerAppCommand, ContainerAppCommandArgs, ContainerDefaultArgs and
/// ContainerAppCommandInstruction describe it. Arguments in AppCommandArgs are always passed; DefaultArgs are the
/// ones <c>podman run image ARGS</c> replaces.
/// </summary>
public sealed record ContainerCommand(
    IReadOnlyList<string> AppCommand,
    IReadOnlyList<string> AppCommandArgs,
    IReadOnlyList<string> DefaultArgs,
    AppCommandInstruction Instruction)
{
    /// <summary>
    /// The SDK's older ContainerEntrypoint and ContainerEntrypointArgs items: when set, they are the image's
    /// Entrypoint in place of the base's (with the DefaultArgs or None instruction).
    /// </summary>
    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    public IReadOnlyList<string> EntrypointArgs { get; init; } = [];

    /// <summary>The Entrypoint and Cmd of the new image, given the base's (null: not set).</summary>
    public (IReadOnlyList<string>? Entrypoint, IReadOnlyList<string>? Cmd) Resolve(IReadOnlyList<string>? baseEntrypoint, IReadOnlyList<string>? baseCmd)
    {
        // Old Microsoft images start `dotnet` as their Entrypoint: an app command cannot run behind it (as in the SDK).
        if (baseEntrypoint is [var only] && only is "dotnet" or "/usr/bin/dotnet")
        {
            baseEntrypoint = null;
        }
        if (Entrypoint.Count > 0)
        {
            baseEntrypoint = [.. Entrypoint, .. EntrypointArgs];
        }
        switch (Instruction)
        {
            case AppCommandInstruction.Entrypoint when AppCommand.Count > 0:
                // A new entrypoint makes the base's arguments meaningless, as Dockerfile ENTRYPOINT does.
                return ([.. AppCommand, .. AppCommandArgs], DefaultArgs.Count > 0 ? DefaultArgs : null);
            case AppCommandInstruction.DefaultArgs:
                IReadOnlyList<string> cmd = [.. AppCommand, .. AppCommandArgs, .. DefaultArgs];
                return (baseEntrypoint, cmd.Count > 0 ? cmd : baseCmd);
            default:
                return (baseEntrypoint, DefaultArgs.Count > 0 ? DefaultArgs : baseCmd);
        }
    }

    /// <summary>Writes the resolved Entrypoint and Cmd into a config's <c>config</c> object.</summary>
    internal void ApplyTo(JsonObject container)
    {
        var (entrypoint, cmd) = Resolve(ReadStrings(container["Entrypoint"]), ReadStrings(container["Cmd"]));
        Write(container, "Entrypoint", entrypoint);
        Write(container, "Cmd", cmd);
    }

    private static IReadOnlyList<string>? ReadStrings(JsonNode? node)
        => node is JsonArray array
            ? array.Select(n => n is null ? "" : n is JsonValue value && value.TryGetValue<string>(out var text) ? text
                : throw new Model.InvalidContentException($"The base image's configuration has an Entrypoint or Cmd entry that is not a string ({n.ToJsonString()}).")).ToArray()
            : null;

    private static void Write(JsonObject container, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            container.Remove(name);
        }
        else
        {
            container[name] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
        }
    }
}
