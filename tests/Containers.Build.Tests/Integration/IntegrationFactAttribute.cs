namespace Containers.Build.Tests.Integration;

/// <summary>
/// A test that needs the real test environment (build/setup-test-env.sh: the registry on 127.0.0.1:5000, podman,
/// skopeo). It runs unless CONTAINERS_BUILD_SKIP_INTEGRATION=1 is set explicitly; a missing environment is a failure,
/// not a skip, so CI can never pass without running it.
/// </summary>
public sealed class IntegrationFactAttribute : FactAttribute
{
    public IntegrationFactAttribute()
    {
        if (TestEnvironment.SkipIntegration)
        {
            Skip = "CONTAINERS_BUILD_SKIP_INTEGRATION=1";
        }
    }
}
