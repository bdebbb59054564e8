using System.Diagnostics;

namespace Containers.Build.Images.Destinations;

/// <summary>
/// Loads an image into docker or podman through its CLI (`load`), streaming a docker-archive into its
/// standard input. Finding a usable engine is quick and never hangs: a CLI whose engine does not answer
/// within a few seconds counts as unusable (a docker CLI with no daemon, as on CI machines).
/// </summary>
public sealed class LocalEngineLoader(ArchiveWriter archives)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The engine to use: <paramref name="requested"/> when it works, else the first usable one (docker, then podman, as the SDK).</summary>
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
            reasons.Add($"{Command(candidate)}: {reason}");
        }
        return (null, string.Join("; ", reasons));
    }

    public async Task<DestinationResult> LoadAsync(LocalEngineTarget target, LocalEngine engine, BuiltImage image, ImageNames names, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Command(engine))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("load");
        using var process = Process.Start(start) ?? throw new LocalEngineException($"Could not start '{Command(engine)} load'.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await archives.StreamDockerArchiveAsync(process.StandardInput.BaseStream, image, names, cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(LoadTimeout);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            TryKill(process);
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            throw new LocalEngineException($"'{Command(engine)} load' did not take the image: {await SafeAsync(errors).ConfigureAwait(false)}{e.Message}".Trim());
        }
        if (process.ExitCode != 0)
        {
            throw new LocalEngineException($"'{Command(engine)} load' failed (exit {process.ExitCode}): {(await errors.ConfigureAwait(false)).Trim()} {(await output.ConfigureAwait(false)).Trim()}".Trim());
        }
        var loaded = names.Local.Select(n => engine == LocalEngine.Podman ? $"localhost/{n}" : n).ToArray();
        return new DestinationResult(target, loaded, null, $"Loaded {string.Join(", ", loaded)}@{image.Digest} into {Command(engine)}; run it with: {Command(engine)} run --rm {loaded[0]}");
    }

    private static string Command(LocalEngine engine) => engine == LocalEngine.Docker ? "docker" : "podman";

    private static async Task<(bool Usable, string Reason)> ProbeAsync(LocalEngine engine, CancellationToken cancellationToken)
    {
        // docker must reach its daemon to be usable (Server.Version); podman needs none (it runs in-process).
        var format = engine == LocalEngine.Docker ? "{{.Server.Version}}" : "{{.Client.Version}}";
        var start = new ProcessStartInfo(Command(engine))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "version", "--format", format })
        {
            start.ArgumentList.Add(argument);
        }
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (false, "not installed");
        }
        if (process is null)
        {
            return (false, "could not be started");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProbeTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                TryKill(process);
                return (false, $"no answer within {ProbeTimeout.TotalSeconds:0} s");
            }
            var version = (await output.ConfigureAwait(false)).Trim();
            if (process.ExitCode == 0 && version.Length > 0)
            {
                return (true, "");
            }
            var error = (await errors.ConfigureAwait(false)).Trim().Split('\n').FirstOrDefault(l => l.Length > 0) ?? $"exit {process.ExitCode}";
            return (false, error);
        }
    }

    private static async Task<string> SafeAsync(Task<string> text)
    {
        try
        {
            var value = (await text.ConfigureAwait(false)).Trim();
            return value.Length > 0 ? value + " " : "";
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            return "";
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
