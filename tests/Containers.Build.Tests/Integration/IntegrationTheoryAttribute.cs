namespace Containers.Build.Tests.Integration;

/// <summary>A data-driven <see cref="IntegrationFactAttribute"/>: runs unless CONTAINERS_BUILD_SKIP_INTEGRATION=1.</summary>
public sealed class IntegrationTheoryAttribute : TheoryAttribute
{
    public IntegrationTheoryAttribute()
    {
        if (TestEnvironment.SkipIntegration)
        {
            Skip = "CONTAINERS_BUILD_SKIP_INTEGRATION=1";
        }
    }
}
