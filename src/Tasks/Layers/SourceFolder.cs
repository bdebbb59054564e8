namespace Containers.Build.Layers;

/// <summary>
/// The folder a walked file's content comes from (<see cref="LayerPlanner"/>): the file is <see cref="Root"/>, a '/', and its
/// container path from <see cref="ContainerPathStart"/> on. One for every file of a walk, instead of a full path each: 8.4
/// MB of strings on a folder of 50,000 files, in MSBuild's process.
/// </summary>
/// <param name="Root">The folder's full path.</param>
/// <param name="ContainerPathStart">Where, in a container path of the walk, the path relative to <see cref="Root"/> starts.</param>
public sealed record SourceFolder(string Root, int ContainerPathStart)
{
    public string FullPathOf(string containerPath) => Path.Join(Root, containerPath.AsSpan(ContainerPathStart));

    /// <summary>The file at <paramref name="containerPath"/> opened in <paramref name="reader"/> (<see cref="FileReadStream.Reusable"/>).</summary>
    public FileReadStream Open(string containerPath, FileReadStream reader) => reader.OpenAt(Root, containerPath.AsSpan(ContainerPathStart));
}
