using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Tasks;

/// <summary>The rules for ContainerLayer items: an image name as ContainerBaseImage takes it, and an optional layer digest.</summary>
public static partial class ImageRequestParser
{
    public sealed partial record Inputs
    {
        /// <summary>@(ContainerLayer): images whose layers go above the base and below the app.</summary>
        public IReadOnlyList<ContainerLayerInput> ContainerLayers { get; init; } = [];
    }

    /// <summary>A ContainerLayer item: Include names the image, Digest (optional) one of its layers.</summary>
    public sealed record ContainerLayerInput(string Item, string? Digest);

    public static IReadOnlyList<LayerImport> ParseLayerImports(Inputs inputs) => inputs.ContainerLayers.Select(ParseLayerImport).ToArray();

    private static LayerImport ParseLayerImport(ContainerLayerInput input)
    {
        var item = input.Item.Trim();
        BaseImageLocation image;
        try
        {
            image = BaseImageLocation.Parse(item);
        }
        catch (InvalidReferenceException e)
        {
            throw new ContainersBuildException(DiagnosticCodes.ContainerLayerInvalid,
                $"ContainerLayer '{input.Item}' does not name an image: {e.Message} Name it as ContainerBaseImage would: registry/repository:tag (or @sha256:digest), oci:PATH[:TAG], oci-archive:PATH[:TAG], docker-archive:PATH[:NAME:TAG], containers-storage:NAME[:TAG] or docker-daemon:NAME[:TAG].");
        }
        if (image is ScratchLocation)
        {
            throw new ContainersBuildException(DiagnosticCodes.ContainerLayerInvalid,
                $"ContainerLayer '{input.Item}' names scratch, which has no layers. Name an image whose layers the app needs, or remove the item.");
        }
        Digest? digest = null;
        if (!string.IsNullOrWhiteSpace(input.Digest))
        {
            digest = Digest.TryParse(input.Digest.Trim(), out var parsed) ? parsed
                : throw new ContainersBuildException(DiagnosticCodes.ContainerLayerInvalid,
                    $"ContainerLayer '{input.Item}' has Digest '{input.Digest}', which is not a digest. Give sha256:<64 hex digits>: a layer's digest from the image's manifest, or its diff_id; or leave Digest out to take every layer.");
        }
        return new LayerImport(item, image, digest);
    }
}
