using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.SupplyChain;

namespace Containers.Build.Publishing.Stages;

/// <summary>
/// Stage 4c: the documents that say what each platform's image is and how it was made — an SBOM from the build graph
/// (the publish folder's deps.json and runtimeconfig.json, the packages' nuspecs, the base image) and an in-toto SLSA
/// provenance statement — attached to that image, so every destination keeps them with it. Same input, same bytes.
/// </summary>
public static class SupplyChainStage
{
    public static ImageSet Attach(ImageSet images, IReadOnlyList<PlatformPublish> platforms, ImageSettings imageSettings, SupplyChainSettings settings, string? repository)
    {
        var created = GeneratedLabels.FormatTime(imageSettings.Created);
        var attachments = new List<ImageAttachment>();
        for (var i = 0; i < images.Images.Count; i++)
        {
            var image = images.Images[i];
            var baseImage = Identity(image.Base);
            if (settings.Sbom != SbomFormat.None)
            {
                var publishDirectory = platforms[i].PublishDirectory;
                var input = new SbomInput(
                    new SbomApp(settings.AppName, settings.AppVersion),
                    new SbomSubject(repository, image.Digest, image.Platform, imageSettings.Created),
                    Path.Combine(publishDirectory, settings.AppName + ".deps.json"),
                    Path.Combine(publishDirectory, settings.AppName + ".runtimeconfig.json"),
                    settings.NuGetPackageRoot,
                    baseImage,
                    image.Base.Config.Environment);
                attachments.Add(settings.Sbom == SbomFormat.Spdx
                    ? ImageAttachment.For(image, AttachmentKind.Sbom, MediaTypes.SpdxJson, SpdxDocument.Write(input), created)
                    : ImageAttachment.For(image, AttachmentKind.Sbom, MediaTypes.CycloneDxJson, CycloneDxDocument.Write(input), created));
            }
            if (settings.Provenance)
            {
                var statement = ProvenanceStatement.Write(new ProvenanceInput(
                    [new ProvenanceSubject(repository ?? settings.AppName, image.Digest)],
                    settings.Project,
                    settings.Configuration,
                    platforms.Select(p => p.RuntimeIdentifier).ToArray(),
                    settings.Properties,
                    settings.SdkVersion,
                    baseImage,
                    settings.Source));
                attachments.Add(ImageAttachment.For(image, AttachmentKind.Provenance, MediaTypes.InTotoJson, statement, created));
            }
        }
        return images with { Attachments = attachments };
    }

    private static BaseImageIdentity Identity(BaseImage baseImage)
        => baseImage.IsScratch ? BaseImageIdentity.Scratch : new BaseImageIdentity(baseImage.Name, baseImage.ResolvedDigest, false);
}
