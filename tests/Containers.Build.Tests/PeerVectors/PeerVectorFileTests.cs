using static Containers.Build.Tests.PeerVectors.PeerVectorData;

namespace Containers.Build.Tests.PeerVectors;

/// <summary>The vector files and the list of differences stay in step.</summary>
public class PeerVectorFileTests
{
    [Fact]
    public void Every_listed_difference_names_a_vector()
    {
        var ids = Vectors.Select(v => v.Id).ToHashSet(StringComparer.Ordinal);
        var stale = ExpectedDifferences.Keys.Where(id => !ids.Contains(id)).ToArray();
        Assert.True(stale.Length == 0, $"expected-differences.tsv names no such vector: {string.Join(", ", stale)}");
    }

    [Fact]
    public void Vector_ids_are_unique_within_a_file()
    {
        var duplicates = Vectors.GroupBy(v => (v.Set, v.Id)).Where(g => g.Count() > 1).Select(g => g.Key.ToString()).ToArray();
        Assert.True(duplicates.Length == 0, $"duplicate ids: {string.Join(", ", duplicates)}");
    }
}
