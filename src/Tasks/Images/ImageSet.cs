using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// What a publish produced: one image, or one image per platform under an index. The tags name the top:
/// the index when there is one, else the image's manifest.
/// </summary>
public sealed record ImageSet(IReadOnlyList<BuiltImage> Images, ImageIndex? Index)
{
    public static ImageSet Single(BuiltImage image) => new([image], null);

    /// <summary>Documents about its images (SBOMs, provenance) that go wherever the images go.</summary>
    public IReadOnlyList<ImageAttachment> Attachments { get; init; } = [];

    public Digest Digest => Index?.Digest ?? Images[0].Digest;
    public string MediaType => Index?.MediaType ?? Images[0].Manifest.MediaType;
    public byte[] Bytes => Index?.Bytes ?? Images[0].Manifest.Bytes;

    /// <summary>Every layer of every image, each blob once (platforms share base and app layers).</summary>
    public IEnumerable<ImageLayer> DistinctLayers => Images.SelectMany(i => i.Layers).DistinctBy(l => l.Descriptor.Digest);

    /// <summary>The image for <paramref name="platform"/>, or the first one when none is for it.</summary>
    public BuiltImage ImageFor(Platform platform)
        => Index is null ? Images[0] : Images.FirstOrDefault(image => platform.IsSatisfiedBy(image.Platform)) ?? Images[0];
}
