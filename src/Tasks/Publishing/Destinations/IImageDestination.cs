using Containers.Build.Images;
using Containers.Build.References;

namespace Containers.Build.Publishing.Destinations;

/// <summary>
/// Somewhere a published image goes: a registry, an archive, an OCI layout, a local engine. The publisher
/// sends the same image set to each in turn; a destination asks the layers for their bytes (or where they
/// can be mounted from) and reports what it did. A new kind of destination is one new class.
/// </summary>
public interface IImageDestination
{
    /// <summary>Where it is, as a user would name it ("the archive /out/app.tar"), for messages.</summary>
    string Description { get; }

    /// <summary>
    /// The registry it pushes to, if it is one: the base image is then read from there with the same client (one
    /// set of tokens), so that base layers can be mounted rather than sent.
    /// </summary>
    RegistryHost? PushesTo => null;

    /// <summary>Sends the images under <paramref name="names"/>: everything or, on failure, nothing that names the image.</summary>
    Task<DestinationResult> SendAsync(ImageSet images, ImageNames names, DestinationContext context, CancellationToken cancellationToken);
}
