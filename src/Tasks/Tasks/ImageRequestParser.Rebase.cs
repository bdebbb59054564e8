using Containers.Build.Publishing.Rebase;
using Containers.Build.References;

namespace Containers.Build.Tasks;

public static partial class ImageRequestParser
{
    /// <summary>
    /// RebaseImage's request: the image is ContainerRebaseImage (a full reference, tag or digest) when set, else
    /// ContainerRegistry/ContainerRepository with the first of ContainerImageTags/ContainerImageTag (latest) — where
    /// PublishImage pushed it (when ContainerRegistry names one registry). The result goes under the tag the image was named by, or ContainerImageTags when set.
    /// </summary>
    /// <param name="rebaseImage">ContainerRebaseImage.</param>
    public static RebaseRequest ParseRebase(Inputs inputs, string? rebaseImage, Action<string> log, Action<string, string>? warn = null)
    {
        ImageReference image;
        if (!string.IsNullOrWhiteSpace(rebaseImage))
        {
            try
            {
                image = ImageReference.Parse(rebaseImage.Trim());
            }
            catch (InvalidReferenceException e)
            {
                throw new ContainersBuildException(DiagnosticCodes.RebaseBaseUnknown,
                    $"ContainerRebaseImage '{rebaseImage}' is not an image reference: {e.Message} Name the published image as registry/repository:tag (or @sha256:digest), e.g. myregistry.azurecr.io/team/app:1.0.");
            }
        }
        else
        {
            var registries = ParseRegistries(inputs.Registry);
            if (registries.Count == 0)
            {
                throw new ContainersBuildException(DiagnosticCodes.RebaseBaseUnknown,
                    "RebaseImage moves an image in a registry, and neither ContainerRebaseImage nor ContainerRegistry names one. Set ContainerRegistry (with ContainerRepository and the tag the image was published under), or ContainerRebaseImage to its full reference.");
            }
            // ContainerImageName is the SDK's obsolete name for the repository; the publish warns about it already.
            var repository = ParseRepository(string.IsNullOrWhiteSpace(inputs.ImageName) ? inputs.Repository : inputs.ImageName, inputs.AssemblyName, inputs.RepositoryPrefix, log, warn);
            var firstTag = ParseTags(inputs.ImageTag, inputs.ImageTags)[0];
            if (registries.Count > 1)
            {
                // A rebase moves one image's tags. Moving them in the first registry only would leave the others on the
                // old base without a word; one rebase per registry, each named, says what is moved where.
                throw new ContainersBuildException(DiagnosticCodes.RebaseBaseUnknown,
                    $"RebaseImage moves one image, and ContainerRegistry lists {registries.Count} registries ({string.Join(", ", registries)}). Set ContainerRebaseImage to the image to rebase, e.g. {registries[0]}/{repository}:{firstTag}, and run RebaseImage once for each registry.");
            }
            image = new ImageReference(registries[0], repository, firstTag, null);
        }
        IReadOnlyList<string> tags = !string.IsNullOrWhiteSpace(inputs.ImageTags) ? ParseTags(null, inputs.ImageTags)
            : image.Tag is { } tag ? [tag] : [];
        var store = string.IsNullOrWhiteSpace(inputs.ContentStoreDirectory) ? Path.Combine("obj", "containers") : inputs.ContentStoreDirectory;
        return new RebaseRequest(image, tags, Path.GetFullPath(store))
        {
            Mirrors = RegistryMirrorSettings.Parse(inputs.RegistryMirrors, inputs.RegistryMirrorsEnvironment, log),
        };
    }
}
