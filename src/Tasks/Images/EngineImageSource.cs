using Containers.Build.Layers;
using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// Reads a base image from a local engine (<c>containers-storage:NAME</c> through podman, <c>docker-daemon:NAME</c> through
/// docker) with its CLI, never by touching its storage: <c>inspect</c> names the image's config digest; when an earlier
/// build kept that config and gzipped every one of its layers, nothing more is read. Otherwise the engine's
/// <c>save</c> is streamed, once, through the docker-archive reader, which verifies and gzips the layers as they come.
/// </summary>
public static class EngineImageSource
{
    private static readonly TimeSpan InspectTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan SaveTimeout = TimeSpan.FromMinutes(30);

    public static async Task<IReadOnlyList<BaseImage>> ResolveAsync(EngineImageLocation location, IReadOnlyList<Platform> platforms, ContentStore store, CancellationToken cancellationToken)
    {
        var input = new DockerArchiveInput(location.Written, $"'{location.Engine} save {location.Name}'", Name: null);
        var inspected = await RunAsync(location, ["image", "inspect", "--format", "{{.Id}}", location.Name], InspectTimeout, null, cancellationToken).ConfigureAwait(false);
        if (inspected.ExitCode != 0)
        {
            var reason = FirstLine(inspected.Errors) ?? $"exit {inspected.ExitCode}";
            throw IsNoSuchImage(reason)
                ? new BaseImageFileException(BaseImageFileFailure.NotInEngine, location.Written, $"The base image {location.Written} is not in {location.Engine}'s images ({reason}).")
                : new BaseImageFileException(BaseImageFileFailure.EngineUnusable, location.Written, $"The base image {location.Written} could not be read: '{location.Engine} image inspect' failed ({reason}).");
        }

        // podman gives the config digest's hex; docker "sha256:<hex>" (or, with the containerd store, the manifest's:
        // then the store holds no config of that digest, and the image is saved).
        var id = inspected.Output.Trim();
        id = id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id;
        if (Digest.TryParse("sha256:" + id, out var configDigest)
            && store.TryReadVerified(configDigest) is { } configBytes
            && RememberedOrNull(input, configBytes, platforms, store) is { } remembered)
        {
            return remembered;
        }

        IReadOnlyList<BaseImage>? images = null;
        var saved = await RunAsync(location, SaveArguments(location), SaveTimeout,
            async (output, ct) => images = await DockerArchiveSource.ResolveStreamAsync(output, input, platforms, store, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        if (saved.ExitCode != 0 || images is null)
        {
            throw new BaseImageFileException(BaseImageFileFailure.EngineUnusable, location.Written,
                $"The base image {location.Written} could not be read: {input.Describe} failed ({FirstLine(saved.Errors) ?? $"exit {saved.ExitCode}"}).");
        }
        return images;
    }

    /// <summary>
    /// The image from what the store remembers, or null when it does not remember it all — or when what the store holds
    /// under that digest is no config (docker's containerd store names an image by its manifest's digest, which the store
    /// may hold as a manifest): then the image is saved and read.
    /// </summary>
    private static IReadOnlyList<BaseImage>? RememberedOrNull(DockerArchiveInput input, byte[] configBytes, IReadOnlyList<Platform> platforms, ContentStore store)
    {
        try
        {
            return DockerArchiveSource.FromRememberedLayers(input, configBytes, platforms, store);
        }
        catch (BaseImageFileException e) when (e.Failure == BaseImageFileFailure.Invalid)
        {
            return null;
        }
    }

    /// <summary>podman saves in its own format unless asked; docker has only the docker-archive.</summary>
    private static string[] SaveArguments(EngineImageLocation location)
        => location.Engine == "podman" ? ["save", "--format", "docker-archive", location.Name] : ["save", location.Name];

    private static async Task<ChildProcessResult> RunAsync(EngineImageLocation location, string[] arguments, TimeSpan timeout,
        Func<Stream, CancellationToken, Task>? readOutput, CancellationToken cancellationToken)
    {
        try
        {
            return await ChildProcess.RunAsync(location.Command, arguments, timeout, cancellationToken, readOutput: readOutput).ConfigureAwait(false);
        }
        catch (ChildProcessNotStartedException)
        {
            throw new BaseImageFileException(BaseImageFileFailure.EngineUnusable, location.Written,
                $"The base image {location.Written} is read with {location.Engine}, which is not installed or not on PATH.");
        }
        catch (ChildProcessFailedException e)
        {
            throw new BaseImageFileException(BaseImageFileFailure.EngineUnusable, location.Written,
                $"The base image {location.Written} could not be read: '{location.Engine} {arguments[0]}' failed ({FirstLine(e.Errors) ?? $"exit {e.ExitCode}"}).");
        }
        catch (ChildProcessTimeoutException e)
        {
            throw new BaseImageFileException(BaseImageFileFailure.EngineUnusable, location.Written,
                $"The base image {location.Written} could not be read: '{location.Engine} {arguments[0]}' {e.Message[(e.Message.IndexOf(' ') + 1)..]}");
        }
    }

    /// <summary>What podman ("image not known", "no such image") and docker ("No such image") say of a name they do not have.</summary>
    private static bool IsNoSuchImage(string reason)
        => reason.Contains("no such image", StringComparison.OrdinalIgnoreCase)
            || reason.Contains("image not known", StringComparison.OrdinalIgnoreCase)
            || reason.Contains("failed to find image", StringComparison.OrdinalIgnoreCase);

    private static string? FirstLine(string text)
        => text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
}
