using Containers.Build.Publishing.Stages;

namespace Containers.Build.Publishing;

/// <summary>ContainerNativeDependencyCheck=error, and native files of the app will not load in the image: nothing was sent.</summary>
public sealed class NativeDependenciesMissingException(IReadOnlyList<NativeDependencyReport> reports)
    : Exception($"{reports.Sum(r => r.Findings.Count)} native files will not load in the image.")
{
    public IReadOnlyList<NativeDependencyReport> Reports { get; } = reports;
}
