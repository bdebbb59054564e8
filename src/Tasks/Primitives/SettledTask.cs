namespace Containers.Build;

/// <summary>Waiting for work whose outcome is looked at elsewhere (or is moot: another failure is being reported).</summary>
internal static class SettledTask
{
    /// <summary>A task that completes when <paramref name="task"/> has finished, whatever its outcome; it never throws.</summary>
    public static async Task Of(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch
        {
        }
    }
}
