using Containers.Build.Layers;

namespace Containers.Build.Tests.Layers;

public class EntriesWithParentsTests
{
    [Fact]
    public void Every_parent_directory_is_an_entry_once_and_the_entries_are_sorted_ordinally()
    {
        var entries = new EntriesWithParents();
        entries.Add(LayerEntry.File("app/b/z.txt", "/src/z.txt", executable: false));
        entries.Add(LayerEntry.File("app/a/y.txt", "/src/y.txt", executable: false));
        entries.Add(LayerEntry.File("app/b/Y.txt", "/src/Y.txt", executable: false));

        Assert.Equal(["app", "app/a", "app/a/y.txt", "app/b", "app/b/Y.txt", "app/b/z.txt"], entries.SortedByPath().Select(e => e.ContainerPath));
        Assert.All(entries.SortedByPath().Where(e => !e.ContainerPath.EndsWith(".txt", StringComparison.Ordinal)), e => Assert.Equal(LayerEntryKind.Directory, e.Kind));
    }

    [Fact]
    public void A_directory_given_after_it_was_made_as_a_parent_takes_its_place()
    {
        var owned = LayerEntry.Directory("app/data") with { Owner = new LayerOwner(1000, 1000, IsAppUser: false) };
        var entries = new EntriesWithParents();
        entries.Add(LayerEntry.File("app/data/x.txt", "/src/x.txt", executable: false));
        entries.Add(owned);
        entries.Add(LayerEntry.Directory("app/data/empty"));

        var sorted = entries.SortedByPath();
        Assert.Equal(["app", "app/data", "app/data/empty", "app/data/x.txt"], sorted.Select(e => e.ContainerPath));
        Assert.Same(owned, sorted[1]);
    }
}
