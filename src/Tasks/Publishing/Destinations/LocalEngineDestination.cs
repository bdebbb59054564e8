using Containers.Build.Images;
using Containers.Build.Model;

namespace Containers.Build.Publishing.Destinations;

public enum LocalEngine
{
    Docker,
    Podman,
}

/// <summary>
/// A local container engine, loaded through its CLI (LocalRegistry): a docker-archive streamed into
/// `docker load` / `podman load`. With no engine named, the first usable one (docker, then podman, as the SDK);
/// when none is, the image is written as an archive at <see cref="FallbackArchivePath"/> instead, ready to load
/// later. An engine runs one platform: it gets the image for the machine it runs on. Finding an engine is quick
/// and never hangs: a CLI whose engine does not answer within a few seconds counts as unusable (a docker CLI
/// with no daemon, as on CI machines).
/// </summary>
public sealed record LocalEngineDestination(LocalEngine? Engine, string FallbackArchivePath) : IImageDestination
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromMinutes(30);

    public string Description => Engine is { } engine ? CommandOf(engine) : $"a local container engine (or {FallbackArchivePath})";

    public async Task<DestinationResult> SendAsync(ImageSet images, ImageNames names, DestinationContext context, CancellationToken cancellationToken)
    {
        var (found, diagnosis) = await FindAsync(Engine, cancellationToken).ConfigureAwait(false);
        if (found is { } engine)
        {
            var image = images.ImageFor(Platform.Host);
            var loaded = await LoadAsync(engine, image, names, cancellationToken).ConfigureAwait(false);
            return loaded with { Summary = $"{loaded.Summary}{WhichOf(images, image)} — {context.Layers.Summary}" };
        }
        if (Engine is { } requested)
        {
            throw new LocalEngineException(requested, $"{CommandOf(requested)} is not usable ({diagnosis}).", isUnusable: true) { Diagnosis = diagnosis };
        }
        // No daemon is no reason to fail: the archive is the image, ready to load later. An engine loads one
        // platform, so the archive holds the one it would have loaded, as a docker-archive both engines read.
        var archive = new ArchiveDestination(FallbackArchivePath, ArchiveFormat.Docker, Gzip: false);
        var forEngine = images.Index is null ? images : ImageSet.Single(images.ImageFor(Platform.Host));
        var written = await DestinationWriteException.Guard(archive.Description, () => archive.WriteAsync(forEngine, names, cancellationToken)).ConfigureAwait(false);
        return written with { Summary = $"No container engine is usable ({diagnosis}). {written.Summary}{WhichOf(images, forEngine.Images[0])} — {context.Layers.Summary}" };
    }

    /// <summary>The engine to use: <paramref name="requested"/> when it works, else the first usable one (docker, then podman).</summary>
    public static async Task<(LocalEngine? Engine, string Diagnosis)> FindAsync(LocalEngine? requested, CancellationToken cancellationToken)
    {
        var candidates = requested is { } engine ? [engine] : new[] { LocalEngine.Docker, LocalEngine.Podman };
        var reasons = new List<string>();
        foreach (var candidate in candidates)
        {
            var (usable, reason) = await ProbeAsync(candidate, cancellationToken).ConfigureAwait(false);
            if (usable)
            {
                return (candidate, "");
            }
            reasons.Add($"{CommandOf(candidate)}: {reason}");
        }
        return (null, string.Join("; ", reasons));
    }

    private static async Task<DestinationResult> LoadAsync(LocalEngine engine, BuiltImage image, ImageNames names, CancellationToken cancellationToken)
    {
        var command = CommandOf(engine);
        ChildProcessResult result;
        try
        {
            result = await ChildProcess.RunAsync(command, ["load"], LoadTimeout, cancellationToken,
                writeInput: (input, ct) => ArchiveDestination.StreamDockerArchiveAsync(input, image, names, ct)).ConfigureAwait(false);
        }
        catch (ChildProcessNotStartedException)
        {
            throw new LocalEngineException(engine, $"Could not start '{command} load'.", isUnusable: false);
        }
        catch (ChildProcessTimeoutException e)
        {
            throw new LocalEngineException(engine, $"'{command} load' did not take the image: {e.Message}", isUnusable: false);
        }
        if (result.ExitCode != 0)
        {
            throw new LocalEngineException(engine, $"'{command} load' failed (exit {result.ExitCode}): {result.Errors.Trim()} {result.Output.Trim()}".Trim(), isUnusable: false);
        }
        var loaded = names.Local.Select(n => engine == LocalEngine.Podman ? $"localhost/{n}" : n).ToArray();
        return new DestinationResult(DestinationKinds.LocalEngine, loaded, null, $"Loaded {string.Join(", ", loaded)}@{image.Digest} into {command}; run it with: {RunHint.For(command, image, loaded[0])}", ImageSet.Single(image));
    }

    private static async Task<(bool Usable, string Reason)> ProbeAsync(LocalEngine engine, CancellationToken cancellationToken)
    {
        // docker must reach its daemon to be usable (Server.Version); podman needs none (it runs in-process).
        var format = engine == LocalEngine.Docker ? "{{.Server.Version}}" : "{{.Client.Version}}";
        try
        {
            var result = await ChildProcess.RunAsync(CommandOf(engine), ["version", "--format", format], ProbeTimeout, cancellationToken).ConfigureAwait(false);
            return result.ExitCode == 0 && result.Output.Trim().Length > 0
                ? (true, "")
                : (false, result.Errors.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? $"exit {result.ExitCode}");
        }
        catch (ChildProcessNotStartedException)
        {
            return (false, "not installed");
        }
        catch (ChildProcessTimeoutException)
        {
            return (false, $"no answer within {ProbeTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>For a multi-platform image, which platform's image an engine got.</summary>
    private static string WhichOf(ImageSet images, BuiltImage image)
        => images.Index is null ? "" : $" (the {image.Platform} image of the {images.Images.Count} built)";

    private static string CommandOf(LocalEngine engine) => engine == LocalEngine.Docker ? "docker" : "podman";
}
