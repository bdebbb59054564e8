using Containers.Build.Model;

namespace Containers.Build.SupplyChain;

/// <summary>An artifact the provenance is about: an image manifest (or index) by its name and digest.</summary>
public sealed record ProvenanceSubject(string Name, Digest Digest);
