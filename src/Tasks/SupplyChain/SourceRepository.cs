namespace Containers.Build.SupplyChain;

/// <summary>The git repository the project was built from, and the commit (40 hex digits, or 64 for SHA-256 repositories).</summary>
public sealed record SourceRepository(string Url, string Commit);
