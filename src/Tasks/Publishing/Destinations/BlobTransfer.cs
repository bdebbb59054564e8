using Containers.Build.Images;
using Containers.Build.Model;

namespace Containers.Build.Publishing.Destinations;

public enum BlobTransferKind
{
    AlreadyPresent,
    Mounted,
    Uploaded,
}

/// <summary>What happened to one blob during a push.</summary>
public sealed record BlobTransfer(Descriptor Descriptor, BlobTransferKind Kind, LayerOrigin? Origin);
