namespace Containers.Build.SupplyChain;

/// <summary>
/// The address of the CI run that is building, from the variables each CI service sets: SLSA's invocationId, which
/// lets a reader of the provenance find the run's logs. Null outside a CI service it knows.
/// </summary>
public static class CiInvocation
{
    /// <param name="environment">Looks up an environment variable (null when unset): <see cref="Environment.GetEnvironmentVariable(string)"/>, or a test's own.</param>
    public static string? Id(Func<string, string?> environment)
    {
        string? Get(string name) => environment(name) is { Length: > 0 } value ? value : null;

        if (Get("GITHUB_ACTIONS") is not null
            && Get("GITHUB_SERVER_URL") is { } server && Get("GITHUB_REPOSITORY") is { } repository && Get("GITHUB_RUN_ID") is { } runId)
        {
            var run = $"{server.TrimEnd('/')}/{repository}/actions/runs/{runId}";
            return Get("GITHUB_RUN_ATTEMPT") is { } attempt ? $"{run}/attempts/{attempt}" : run;
        }
        if (Get("CI_JOB_URL") is { } gitLabJob)
        {
            return gitLabJob;
        }
        if (Get("SYSTEM_COLLECTIONURI") is { } collection && Get("SYSTEM_TEAMPROJECT") is { } project && Get("BUILD_BUILDID") is { } buildId)
        {
            return $"{collection.TrimEnd('/')}/{Uri.EscapeDataString(project)}/_build/results?buildId={Uri.EscapeDataString(buildId)}";
        }
        if (Get("CIRCLE_BUILD_URL") is { } circleBuild)
        {
            return circleBuild;
        }
        // Jenkins's BUILD_URL last: its name is generic enough that another service's job could set it.
        return Get("BUILD_URL");
    }
}
