namespace Containers.Build.Tests.Targets;

/// <summary>
/// The tests that build projects with MSBuild in this process: it runs one build at a time ("a build is already in
/// progress" otherwise), so their classes share this collection and never run at once.
/// </summary>
[CollectionDefinition(Name)]
public sealed class InProcessMSBuild
{
    public const string Name = "MSBuild in process";
}
