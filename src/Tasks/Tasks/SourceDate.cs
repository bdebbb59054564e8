using System.Diagnostics;
using System.Globalization;

namespace Containers.Build.Tasks;

/// <summary>
/// The time stamped into the image (its created time and every layer entry's modification time), never the
/// wall clock, so the same commit gives the same digests: SOURCE_DATE_EPOCH when set, else the commit time
/// of HEAD when the project is in a git work tree, else 1970-01-01T00:00:00Z.
/// </summary>
public static class SourceDate
{
    public static DateTimeOffset? FromGit(string? projectDirectory)
    {
        if (string.IsNullOrEmpty(projectDirectory) || !Directory.Exists(projectDirectory))
        {
            return null;
        }
        try
        {
            var start = new ProcessStartInfo("git")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "-C", projectDirectory, "log", "-1", "--format=%ct", "HEAD" })
            {
                start.ArgumentList.Add(argument);
            }
            using var git = Process.Start(start);
            if (git is null)
            {
                return null;
            }
            var output = git.StandardOutput.ReadToEnd();
            if (!git.WaitForExit(10_000))
            {
                git.Kill(entireProcessTree: true);
                return null;
            }
            return git.ExitCode == 0 && long.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // git is not installed: no commit time to use.
            return null;
        }
    }
}
