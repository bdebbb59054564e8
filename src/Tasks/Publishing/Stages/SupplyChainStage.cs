using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.SupplyChain;

namespace Containers.Build.Publishing.Stages;

/// <summary>
/// Stage 4c: the documents that say what each platform's image is and how it was made — an SBOM from the build graph
/// (the publish folder's deps.json and runtimeconfig.json, the packages' nuspecs, the base image) and an in-toto SLSA
/// provenance statement — attached to that image, so every destination keeps them with it. Same input, same bytes.
/// The build graph is read first (<see cref="ReadBuildGraphs"/>, while the layers are written): the image's digest,
/// which the documents name, comes last.
/// </summary>
public static class SupplyChainStage
{
    /// <summary>For each platform, what its SBOM reads of the build graph; none when no SBOM is made.</summary>
    /// <exception cref="SbomSourceException">A deps.json or runtimeconfig.json that exists but does not read.</exception>
    internal static IReadOnlyList<AppDependencies?> ReadBuildGraphs(IReadOnlyList<PlatformPublish> platforms, SupplyChainSettings settings)
        => platforms.Select(platform => settings.Sbom == SbomFormat.None ? null
            : AppDependencies.Read(DepsJsonPath(platform, settings), RuntimeConfigPath(platform, settings), settings.NuGetPackageRoot)).ToArray();

    /// <param name="buildGraphs">What <see cref="ReadBuildGraphs"/> read for these platforms.</param>
    internal static ImageSet Attach(ImageSet images, IReadOnlyList<PlatformPublish> platforms, ImageSettings imageSettings, SupplyChainSettings settings, string? repository,
        IReadOnlyList<AppDependencies?> buildGraphs)
    {
        var created = GeneratedLabels.FormatTime(imageSettings.Created);
        var attachments = new List<ImageAttachment>();
        for (var i = 0; i < images.Images.Count; i++)
        {
            var image = images.Images[i];
            var baseImage = Identity(image.Base);
            if (settings.Sbom != SbomFormat.None)
            {
                var input = new SbomInput(
                    new SbomApp(settings.AppName, settings.AppVersion),
                    new SbomSubject(repository, image.Digest, image.Platform, imageSettings.Created),
                    DepsJsonPath(platforms[i], settings),
                    RuntimeConfigPath(platforms[i], settings),
                    settings.NuGetPackageRoot,
                    baseImage,
                    image.Base.Config.Environment);
                // ReadBuildGraphs reads one for every platform when an SBOM is made.
                var read = buildGraphs[i]!;
                attachments.Add(settings.Sbom == SbomFormat.Spdx
                    ? ImageAttachment.For(image, AttachmentKind.Sbom, MediaTypes.SpdxJson, SpdxDocument.Write(input, read), created)
                    : ImageAttachment.For(image, AttachmentKind.Sbom, MediaTypes.CycloneDxJson, CycloneDxDocument.Write(input, read), created));
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

    private static string DepsJsonPath(PlatformPublish platform, SupplyChainSettings settings) => Path.Combine(platform.PublishDirectory, settings.AppName + ".deps.json");

    private static string RuntimeConfigPath(PlatformPublish platform, SupplyChainSettings settings) => Path.Combine(platform.PublishDirectory, settings.AppName + ".runtimeconfig.json");

    private static BaseImageIdentity Identity(BaseImage baseImage)
        => baseImage.IsScratch ? BaseImageIdentity.Scratch : new BaseImageIdentity(baseImage.Name, baseImage.ResolvedDigest, false);
}
