using Containers.Build.Model;

namespace Containers.Build.Publishing.Join;

/// <summary>One platform's image to put in the index: what named it, where it is read from, its manifest (exact bytes) and its platform.</summary>
internal sealed record JoinedImage(JoinSource Source, SourceStore Store, ImageManifest Manifest, Platform Platform)
{
    public Digest Digest => Manifest.Digest;
}
