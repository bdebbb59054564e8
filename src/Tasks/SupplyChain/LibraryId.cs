namespace Containers.Build.SupplyChain;

/// <summary>A library as deps.json keys it: <c>Name/Version</c>.</summary>
internal readonly record struct LibraryId(string Name, string Version) : IComparable<LibraryId>
{
    public int CompareTo(LibraryId other)
    {
        var byName = string.CompareOrdinal(Name, other.Name);
        return byName != 0 ? byName : string.CompareOrdinal(Version, other.Version);
    }

    /// <summary>
    /// Compares names and versions ignoring case, as NuGet and the host do: a dependency is written with the casing of
    /// the nuspec that declares it, which need not be the casing of the package's own id.
    /// </summary>
    public static IEqualityComparer<LibraryId> IgnoreCase { get; } = new IgnoreCaseComparer();

    public override string ToString() => $"{Name}/{Version}";

    private sealed class IgnoreCaseComparer : IEqualityComparer<LibraryId>
    {
        public bool Equals(LibraryId x, LibraryId y)
            => string.Equals(x.Name, y.Name, StringComparison.OrdinalIgnoreCase) && string.Equals(x.Version, y.Version, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode(LibraryId id)
            => HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(id.Name), StringComparer.OrdinalIgnoreCase.GetHashCode(id.Version));
    }
}
