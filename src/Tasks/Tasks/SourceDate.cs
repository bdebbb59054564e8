using System.Globalization;

namespace Containers.Build.Tasks;

/// <summary>
/// The time stamped into the image (its created time and every layer entry's modification time), never the
/// wall clock, so the same commit gives the same digests: SOURCE_DATE_EPOCH when set, else the commit time
/// of HEAD when the project is in a git work tree, else 1970-01-01T00:00:00Z.
/// </summary>
public static class SourceDate
{
    private static readonly TimeSpan GitTimeout = TimeSpan.FromSeconds(10);

    public static DateTimeOffset? FromGit(string? projectDirectory)
    {
        if (string.IsNullOrEmpty(projectDirectory) || !Directory.Exists(projectDirectory))
        {
            return null;
        }
        try
        {
            var git = ChildProcess.RunAsync("git", ["-C", projectDirectory, "log", "-1", "--format=%ct", "HEAD"], GitTimeout, CancellationToken.None)
                .GetAwaiter().GetResult();
            return git.ExitCode == 0 && long.TryParse(git.Output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception e) when (e is ChildProcessNotStartedException or ChildProcessTimeoutException)
        {
            // git is not installed, or hangs (a network file system): no commit time to use.
            return null;
        }
    }
}
