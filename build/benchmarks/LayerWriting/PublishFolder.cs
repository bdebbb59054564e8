namespace LayerWriting;

/// <summary>A folder to write as a layer; shown in the results by its name.</summary>
public sealed record PublishFolder(string Name, string Path, long Bytes, int Files)
{
    public static PublishFolder Measure(string name, string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"Publish folder '{full}' does not exist.");
        }
        long bytes = 0;
        var files = 0;
        foreach (var file in new DirectoryInfo(full).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            bytes += file.Length;
            files++;
        }
        return new PublishFolder(name, full, bytes, files);
    }

    public double Megabytes => Bytes / 1_000_000.0;

    public override string ToString() => Name;
}
