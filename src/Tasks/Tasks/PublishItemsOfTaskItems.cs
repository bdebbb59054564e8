using System.Collections;
using Containers.Build.Layers;
using Microsoft.Build.Framework;

namespace Containers.Build.Tasks;

/// <summary>
/// The ResolvedFileToPublish items as <see cref="PublishItem"/>s, each read from its item when it is asked for: the
/// classifier reads each once, and an array of copies made first was 3.6 MB of a folder of 50,000 files, in MSBuild's
/// process. An item without a RelativePath is given as it is (the classifier passes over it).
/// </summary>
internal sealed class PublishItemsOfTaskItems(IReadOnlyList<ITaskItem> items) : IReadOnlyList<PublishItem>
{
    public int Count => items.Count;

    public PublishItem this[int index] => Of(items[index]);

    public IEnumerator<PublishItem> GetEnumerator()
    {
        foreach (var item in items)
        {
            yield return Of(item);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static PublishItem Of(ITaskItem item)
        => new(item.GetMetadata("RelativePath"), item.GetMetadata("NuGetPackageId"), item.GetMetadata("ReferenceSourceTarget"), item.GetMetadata("RuntimeIdentifier"), PackedFileOf(item));

    /// <summary>The package a package asset was unpacked from; asked of package assets only (FullPath is a new string per call, of 50,000 items too).</summary>
    private static PackedFile? PackedFileOf(ITaskItem item)
        => item.GetMetadata("PathInPackage") is { Length: > 0 } pathInPackage && item.GetMetadata("NuGetPackageId") is { Length: > 0 } packageId
            ? PackedFile.Locate(item.GetMetadata("FullPath"), pathInPackage, packageId, item.GetMetadata("NuGetPackageVersion"))
            : null;
}
