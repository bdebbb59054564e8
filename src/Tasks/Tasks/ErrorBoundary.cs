using Containers.Build.Images;
using Containers.Build.Layers;
using Containers.Build.Model;
using Containers.Build.Native;
using Containers.Build.Publishing;
using Containers.Build.Publishing.Destinations;
using Containers.Build.Publishing.Stages;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;

namespace Containers.Build.Tasks;

/// <summary>
/// The one place where a failure gets its code (docs/errors.md) and the advice that says what to do. The core
/// throws typed exceptions with the facts (which image, which folder, which registry); configuration rules,
/// which know their property, throw <see cref="ContainersBuildException"/> with their code already chosen.
/// </summary>
public static class ErrorBoundary
{
    /// <summary>What the task knows that the core does not: how the user named things.</summary>
    /// <param name="BaseImage">ContainerBaseImage, as used (inferred or not).</param>
    /// <param name="UserBaseImage">ContainerBaseImage as the project set it: empty when it was inferred.</param>
    public sealed record Context(string? BaseImage, string? UserBaseImage, bool IsMultiPlatform);

    public static (string Code, string Message) Diagnose(Exception e, Context context) => e switch
    {
        ContainersBuildException known => (known.Code, known.Message),
        Publishing.Rebase.RebaseImageNotFoundException missing =>
            (DiagnosticCodes.RebaseBaseUnknown, $"{missing.Message} Publish it first (dotnet publish -t:PublishImage), or name the published image: ContainerRebaseImage=registry/repository:tag, or ContainerRegistry, ContainerRepository and ContainerImageTag as it was published."),
        Publishing.Rebase.RebaseBaseUnknownException { IsNotInRegistry: true } fileBase =>
            (DiagnosticCodes.RebaseBaseUnknown, $"{fileBase.Message} Publish again (dotnet publish -t:PublishImage) to build on the current base; to rebase later, publish on a base in a registry (ContainerBaseImage=registry/repository:tag)."),
        Publishing.Rebase.RebaseBaseUnknownException unknownBase =>
            (DiagnosticCodes.RebaseBaseUnknown, $"{unknownBase.Message} Republish it once with dotnet publish -t:PublishImage (ContainerGenerateLabelsImageBaseName and ContainerGenerateLabelsImageBaseDigest left on) so that the image records its base; later bases can then be rebased onto."),
        Publishing.Rebase.RebaseOldBaseGoneException oldBaseGone =>
            (DiagnosticCodes.RebaseBaseNotPrefix, $"{oldBaseGone.Message} Republish it with dotnet publish -t:PublishImage to build on the current base."),
        Publishing.Rebase.RebaseBaseNotPrefixException notPrefix =>
            (DiagnosticCodes.RebaseBaseNotPrefix, $"{notPrefix.Message} Its labels name another base than the one it was built on, or its layers were changed after it was published: republish it with dotnet publish -t:PublishImage."),
        RegistryPushesFailedException partial => DiagnoseRegistries(partial, context),
        Publishing.Join.JoinFactsUnreadableException facts =>
            (DiagnosticCodes.JoinFactsUnreadable, $"{facts.Message} Give ContainerJoinImages (or a ContainerJoinImage item) the container-image.json a runner's publish wrote (ContainerImageFactsPath, uploaded as an artifact of that runner's job), or the image by digest: registry/repository@sha256:…."),
        Publishing.Join.JoinImageNotFoundException joinNotFound =>
            (DiagnosticCodes.JoinImageNotFound, $"{joinNotFound.Message} Check that entry of ContainerJoinImages: publish that platform first (dotnet publish -t:PublishImage -p:ContainerPublishUntagged=true), and name the image by the digest its publish reported, or by its facts file."),
        Publishing.Join.JoinImageUnreadableException joinUnreadable =>
            (DiagnosticCodes.JoinImageUnreadable, $"{joinUnreadable.Message} Name a platform's image (a manifest, or an index of them) in ContainerJoinImages; if its files were changed since it was published, publish it again."),
        Publishing.Join.JoinPlatformTwiceException twice =>
            (DiagnosticCodes.JoinPlatformTwice, $"{twice.Message} Name one of them in ContainerJoinImages (and the ContainerJoinImage items), or publish each runner for a runtime identifier of its own."),
        Publishing.Join.JoinFormatsMixedException joinMixed =>
            (DiagnosticCodes.JoinFormatsMixed, $"{joinMixed.Message} Publish every platform in one format: set ContainerImageFormat=OCI (or Docker) on every runner's publish."),
        LayerImageException layerImage => DiagnoseLayerImage(layerImage, context),
        NativeDependenciesMissingException native => DiagnoseNative(native),
        SupplyChain.SbomSourceException sbom => (DiagnosticCodes.SbomSourceUnreadable,
            $"The SBOM is made from the publish output, but {sbom.Message} Publish again (a clean publish writes it whole), or set ContainerSbom=false to publish without an SBOM."),
        ImportedLayerNotFoundException layerNotFound =>
            (DiagnosticCodes.ContainerLayerNotFound, $"{layerNotFound.Message} Set the item's Digest to one of them (or to a diff_id of the image's config), or leave Digest out to take every layer."),
        BaseImageNotFoundException notFound =>
            (DiagnosticCodes.BaseImageNotFound, $"{notFound.Message} Check ContainerBaseImage: the repository and tag must exist in that registry."),
        PlatformNotFoundException platform =>
            (DiagnosticCodes.BaseImagePlatformMissing, $"{platform.Message} Choose a base image that has it, or set {(context.IsMultiPlatform ? "ContainerRuntimeIdentifiers to runtime identifiers of platforms" : "ContainerRuntimeIdentifier to a runtime identifier of a platform")} it offers."),
        BaseImageFileException file => DiagnoseFile(file, context),
        BaseImageFormatsMixedException mixed =>
            (DiagnosticCodes.BaseImageFormatsMixed, $"{mixed.Message} Set ContainerImageFormat to OCI (or Docker) to write every platform's image in that format."),
        BaseImageUnreadableException { IsInvalidContent: true } invalid =>
            (DiagnosticCodes.BaseImageUnreadable, $"{invalid.Message} Choose another ContainerBaseImage."),
        BaseImageUnreadableException unreadable =>
            (DiagnosticCodes.BaseImageUnreadable, $"{unreadable.Message} Check ContainerBaseImage and the registry's health."),
        MirrorFailedException mirror =>
            (DiagnosticCodes.BaseImageUnreadable, $"{mirror.Message} Check the mirror's health, or remove it from ContainerRegistryMirror / {Containers.Build.Registry.RegistryMirrors.EnvironmentVariable}."),
        CredentialException credentials => (DiagnosticCodes.RegistryAuthenticationFailed, credentials.Message),
        TokenRealmRefusedException realm =>
            (DiagnosticCodes.CredentialsWithheld, $"{realm.Message} Credentials go only to the registry's own host and to a token service it names over https (plain http only for a registry reached over http) on a public address (an internal one only for a registry that is itself internal). "
                + $"If {realm.Registry} is yours, fix the token service (realm) in its auth configuration; if not, do not give it credentials. See docs/registries.md."),
        ForeignHostChallengeException foreign =>
            (DiagnosticCodes.CredentialsWithheld, $"{foreign.Message} A registry that sends clients to other storage must give them URLs that work without credentials (pre-signed); check the registry's storage or proxy configuration."),
        RegistryStalledException stalled =>
            (DiagnosticCodes.RegistryStalled, $"{stalled.Message} Check the registry and any proxy or firewall in between; if the registry is only slow, raise ContainerRegistryTimeout (seconds; now {stalled.Timeout.TotalSeconds:0.#})."),
        RegistryUnreachableException { IsTlsFailure: true } tls =>
            (DiagnosticCodes.RegistryUnreachable, $"{tls.Message} {TlsAdvice(tls.Reason)}"),
        RegistryUnreachableException unreachable =>
            (DiagnosticCodes.RegistryUnreachable, $"{unreachable.Message} Check that the registry is running and that ContainerRegistry / ContainerBaseImage name it correctly"
                + (string.IsNullOrWhiteSpace(context.UserBaseImage) ? "; the base image was inferred: offline, pull it through a mirror (ContainerRegistryMirror or CONTAINERS_BUILD_REGISTRY_MIRRORS)." : ".")),
        RegistryAuthenticationException authentication =>
            (DiagnosticCodes.RegistryAuthenticationFailed, $"{authentication.Message} {AuthenticationAdvice(authentication)}"),
        RegistryException { IsAuthenticationFailure: true } auth =>
            (DiagnosticCodes.RegistryAuthenticationFailed, $"{auth.Message} Log in with the credentials for this registry (DOTNET_CONTAINER_REGISTRY_UNAME and DOTNET_CONTAINER_REGISTRY_PWORD)."),
        // Blobs are only ever read from the base image's registry (or its mirror): a bad one is a bad base.
        BlobDigestMismatchException mismatch =>
            (DiagnosticCodes.BaseImageUnreadable, $"A layer of the base image {context.BaseImage} is bad: {mismatch.Message} The registry (or a mirror or proxy in between) serves corrupt content; check it, or choose another ContainerBaseImage."),
        RegistryException registry =>
            (DiagnosticCodes.PushRefused, $"{registry.Message} Check that the registry accepts pushes to this repository."),
        InvalidContentException invalid =>
            (DiagnosticCodes.BaseImageUnreadable, $"The base image {context.BaseImage} could not be read: {invalid.Message}"),
        CaCertificatesException ca =>
            (DiagnosticCodes.CaCertificatesInvalid, $"ContainerRegistryCaCertificates '{ca.Path}' {ca.Reason.TrimEnd('.')}. Name a PEM file with the CA certificates of your registry."),
        LayerOwnerUnresolvableException owner =>
            (DiagnosticCodes.FileOwnerInvalid, $"ContainerFileOwner=app (or Owner=app on a ContainerFile or ContainerDirectory) needs a numeric user, but the image's user is '{owner.ImageUser}'. Set ContainerUser to a uid such as 1654, or ContainerFileOwner to a uid[:gid]."),
        WhiteoutNameException whiteout => (DiagnosticCodes.WhiteoutFileName, whiteout.Message),
        ExtraFileMissingException missing =>
            (DiagnosticCodes.ContainerFileSourceMissing, $"{missing.Message} Check its Include (relative to the project's folder)."),
        ExtraFileCollisionException collision =>
            (DiagnosticCodes.ContainerItemCollision, $"{collision.Message} Choose another Destination, or leave the file out of the publish output."),
        SpecialFileException special =>
            (DiagnosticCodes.SpecialFileInPublishOutput, $"{special.Message} Remove it from the publish output, or create it when the container starts."),
        FileNameNotUtf8Exception notUtf8 =>
            (DiagnosticCodes.FileNameNotUtf8, $"{notUtf8.Message} Rename it to a UTF-8 name (convmv -f latin1 -t utf8 converts Latin-1 names), or keep it out of the publish output."),
        UnsafeEntryPathException unsafePath =>
            (DiagnosticCodes.WorkingDirectoryInvalid, $"{unsafePath.Message} Use an absolute ContainerWorkingDirectory without '.' or '..', such as /app."),
        CorruptLayerException corrupt =>
            (DiagnosticCodes.LayerWriteFailed, $"{corrupt.Message} It was corrupt again after being made anew: check the disk of the content store (ContainersBuildContentStore)."),
        PublishOutputUnreadableException unreadable =>
            (DiagnosticCodes.LayerWriteFailed, $"{unreadable.Message} Check the permissions there."),
        LayerWriteException layers =>
            (DiagnosticCodes.LayerWriteFailed, $"{layers.Message} Check the disk space and permissions there (ContainersBuildContentStore)."),
        BlobWriteException blob =>
            (DiagnosticCodes.LayerWriteFailed, $"{blob.Message} Check the disk space and permissions there (ContainersBuildContentStore)."),
        DestinationWriteException destination =>
            (DiagnosticCodes.LayerWriteFailed, $"{destination.Message} Check the path, the disk space and the permissions."),
        LocalEngineException { IsUnusable: true } unusable =>
            (DiagnosticCodes.LocalEngineFailed, $"LocalRegistry={unusable.Engine} but {unusable.Command} is not usable ({unusable.Diagnosis}). Start it, or leave LocalRegistry empty to write an archive, or set ContainerRegistry."),
        LocalEngineException engine =>
            (DiagnosticCodes.LocalEngineFailed, $"{engine.Message} Check that {engine.Command} works (try '{engine.Command} info'), or set ContainerRegistry or ContainerArchiveOutputPath instead."),
        _ => (DiagnosticCodes.InternalError, $"PublishImage failed unexpectedly: {e.GetType().Name}: {e.Message}. Please report this with the build log (-v:diag shows the details)."),
    };

    /// <summary>
    /// Some of several registries did not take the image. One alone keeps its own code and advice (the code a
    /// pipeline or a user already knows for it), followed by the registries that have the image; two or more are
    /// CB2021, each named with its own code and advice.
    /// </summary>
    private static (string Code, string Message) DiagnoseRegistries(RegistryPushesFailedException e, Context context)
    {
        var outcome = e.Outcome;
        var pushed = outcome.Destinations.Where(d => d.Registry is not null).Select(d => d.Registry!.ToString()).ToArray();
        var total = pushed.Length + outcome.FailedRegistries.Count;
        var which = pushed.Length == 0
            ? $"No registry of the {total} in ContainerRegistry has the image."
            : $"The image {outcome.Images.Digest} was pushed to {string.Join(", ", pushed)}.";
        // Worth saying, because a republish is the fix: only what a registry lacks is sent.
        const string Unchanged = "a registry that has the image is sent nothing again (every blob and tag is checked first).";
        if (outcome.FailedRegistries is [var only])
        {
            var (code, message) = Diagnose(only.Error, context);
            return (code, $"Not pushed to {only.Registry}: {message} {which} Publish again once {only.Registry} is fixed: {Unchanged}");
        }
        var failures = outcome.FailedRegistries.Select(f => (f.Registry, Diagnosed: Diagnose(f.Error, context)))
            .Select(f => $"- {f.Registry} ({f.Diagnosed.Code}): {f.Diagnosed.Message}");
        return (DiagnosticCodes.SeveralRegistriesFailed, string.Join(Environment.NewLine,
            [$"The image {outcome.Images.Digest} was not pushed to {outcome.FailedRegistries.Count} of the {total} registries in ContainerRegistry:", .. failures,
             $"{which} Publish again once they are fixed: {Unchanged}"]));
    }

    /// <summary>CB2010..CB2017: a base image read from a file source (oci:PATH[:TAG], oci-archive:PATH[:TAG], docker-archive:PATH[:NAME:TAG]) or a local engine.</summary>
    private static (string Code, string Message) DiagnoseFile(BaseImageFileException e, Context context) => e.Failure switch
    {
        BaseImageFileFailure.Missing =>
            (DiagnosticCodes.BaseImageFileMissing, $"{e.Message} Check the path in ContainerBaseImage (a relative path is taken from the project's directory), or write the layout with 'skopeo copy docker://IMAGE oci:PATH:TAG'."),
        BaseImageFileFailure.TagNotFound =>
            (DiagnosticCodes.BaseImageTagNotFound, $"{e.Message} Set ContainerBaseImage to {Transport(e)}:PATH:{(Transport(e) == "docker-archive" ? "NAME:TAG" : "TAG")} with one of them."),
        BaseImageFileFailure.TagRequired =>
            (DiagnosticCodes.BaseImageTagRequired, $"{e.Message}"),
        BaseImageFileFailure.PlatformMissing =>
            (DiagnosticCodes.BaseImageFilePlatformMissing, $"{e.Message} Copy that platform into the layout (skopeo copy --override-arch, or --all for every platform), or set {(context.IsMultiPlatform ? "ContainerRuntimeIdentifiers to runtime identifiers of platforms" : "ContainerRuntimeIdentifier to a runtime identifier of a platform")} it offers."),
        BaseImageFileFailure.NotInEngine =>
            (DiagnosticCodes.BaseImageNotInEngine, $"{e.Message} Pull or build it into {EngineOf(e)} first ('{EngineOf(e)} pull NAME', '{EngineOf(e)} build -t NAME .'), or check the name against '{EngineOf(e)} images'."),
        BaseImageFileFailure.EngineUnusable =>
            (DiagnosticCodes.BaseImageEngineUnusable, $"{e.Message} Check that '{EngineOf(e)} images' works, or save the image to a file ('{EngineOf(e)} save -o base.tar NAME') and set ContainerBaseImage=docker-archive:base.tar."),
        BaseImageFileFailure.DigestMismatch =>
            (DiagnosticCodes.BaseImageFileDigestMismatch, $"{e.Message} The file was changed or damaged after it was written: write it again (skopeo copy, docker save, podman save), and do not edit it."),
        _ =>
            (DiagnosticCodes.BaseImageFileInvalid, $"{e.Message} ContainerBaseImage=oci:PATH[:TAG] names a directory in the OCI image layout format (oci-layout, index.json, blobs/), as 'skopeo copy ... oci:PATH:TAG' writes it; oci-archive:PATH[:TAG] a tar of one (plain or gzipped); docker-archive:PATH[:NAME:TAG] what docker save or podman save writes."),
    };

    /// <summary>ContainerNativeDependencyCheck=error: every file that will not load, in one error (the first one's code).</summary>
    private static (string Code, string Message) DiagnoseNative(NativeDependenciesMissingException e)
    {
        var described = e.Reports.SelectMany(r => r.Findings.Select(f => DescribeNative(r, f, "ContainerNativeDependencyCheck=error makes this an error; true makes it a warning, false turns the check off"))).ToArray();
        return (described[0].Code, string.Join(Environment.NewLine, described.Select(d => d.Message)));
    }

    /// <summary>CB4007/CB4008: one native file that will not load, named with what it lacks and what to do.</summary>
    private static (string Code, string Message) DescribeNative(NativeDependencyReport report, NativeDependencyFinding finding, string off)
    {
        var image = $"the {report.Platform} image (base {report.BaseImage})";
        if (finding.Libc is { } libc)
        {
            var fileLibc = libc.File == LibcFlavor.Musl ? "musl (Alpine)" : "glibc";
            var imageLibc = libc.Image == LibcFlavor.Musl ? "musl (Alpine)" : "glibc";
            var fix = libc.File == LibcFlavor.Musl
                ? "Publish for the glibc runtime identifier (linux-x64, linux-arm64) instead of linux-musl-*, or build on an Alpine base (ContainerFamily=alpine)"
                : "Publish for a linux-musl-* runtime identifier, or build on a glibc base (a Debian or Ubuntu image)";
            return (DiagnosticCodes.NativeLibcMismatch,
                $"{finding.ImagePath} is built for {fileLibc}, but {image} has {imageLibc}: it will not load. {fix}. {off}.");
        }
        var missing = finding.MissingLibraries.ToList();
        if (finding.MissingInterpreter is { } interpreter)
        {
            missing.Insert(0, $"{interpreter} (its program loader)");
        }
        return (DiagnosticCodes.NativeLibraryMissing,
            $"{finding.ImagePath} needs {string.Join(", ", missing)}, which {image} does not have: it will fail to load when the app uses it. "
            + "Use a base image that has them (an '-extra' variant, or your own base with the packages installed: ContainerBaseImage, which may be an oci: layout or containers-storage: image), "
            + $"or add them to the image (a ContainerLayer from an image that has them, or ContainerFile items). {off}.");
    }

    /// <summary>
    /// A ContainerLayer image fails as a base image would, from the same sources: the same code and advice, said of
    /// the item (the core's messages and advice speak of "the base image" and ContainerBaseImage).
    /// </summary>
    private static (string Code, string Message) DiagnoseLayerImage(LayerImageException e, Context context)
    {
        var inner = e.InnerException!;
        var (code, message) = inner is InvalidContentException
            ? (DiagnosticCodes.BaseImageUnreadable, $"The image could not be read: {inner.Message}")
            : Diagnose(inner, context with { BaseImage = e.Import.Item, UserBaseImage = e.Import.Item });
        var item = $"ContainerLayer '{e.Import.Item}'";
        message = message
            .Replace("ContainerBaseImage", $"the Include of {item}", StringComparison.Ordinal)
            .Replace("The base image", "The image", StringComparison.Ordinal)
            .Replace("the base image", "the image", StringComparison.Ordinal)
            .Replace("a base image", "an image", StringComparison.Ordinal);
        return (code, $"{item}: {message}");
    }

    private static string Transport(BaseImageFileException e) => e.BaseImage[..Math.Max(0, e.BaseImage.IndexOf(':'))];

    private static string EngineOf(BaseImageFileException e) => EngineImageLocation.CommandFor(Transport(e));

    /// <summary>CB2003 after TLS failed: what to do about the certificate or the handshake (not whether the registry runs).</summary>
    private static string TlsAdvice(UnreachableReason reason) => reason switch
    {
        UnreachableReason.CertificateUntrusted =>
            "If the registry's certificate comes from a private CA, name the CA's PEM file in ContainerRegistryCaCertificates (or add it to the system store); "
            + "for a registry on your own network whose certificate is not to be checked, list it in ContainerInsecureRegistries.",
        UnreachableReason.CertificateNameMismatch =>
            "Check that ContainerRegistry / ContainerBaseImage name the registry by a name its certificate is for; "
            + "for a registry on your own network whose certificate is not to be checked, list it in ContainerInsecureRegistries.",
        _ =>
            "If the registry serves plain HTTP on that port, list it in ContainerInsecureRegistries; otherwise check its TLS configuration "
            + "(for a private CA, name the CA's PEM file in ContainerRegistryCaCertificates).",
    };

    /// <summary>CB2004: one piece of advice, for where the credentials came from (never "set the variables" to someone who did).</summary>
    private static string AuthenticationAdvice(RegistryAuthenticationException e) => (e.Failure, e.Origin?.Kind) switch
    {
        (AuthenticationFailure.Unsupported, _) =>
            "Containers.Build authenticates with Bearer tokens or Basic; ask the registry's owner for one of them.",
        (AuthenticationFailure.NoCredentials, _) =>
            $"Log in (docker login {e.Registry} or podman login {e.Registry}), or set DOTNET_CONTAINER_REGISTRY_UNAME and DOTNET_CONTAINER_REGISTRY_PWORD (or the _PUSH_ / _PULL_ variants); see docs/registries.md.",
        (AuthenticationFailure.NeedsPassword, _) =>
            $"Log in with a user name and password (docker login {e.Registry} or podman login {e.Registry}), or give them in DOTNET_CONTAINER_REGISTRY_UNAME and DOTNET_CONTAINER_REGISTRY_PWORD.",
        (AuthenticationFailure.Denied, _) =>
            "The registry knows these credentials but does not let them do this: check that the account may push to (or pull from) this repository.",
        (_, CredentialOriginKind.EnvironmentVariables) =>
            "Check the values of those variables (they are used before any docker or podman login); unset them to use the login stored for this registry instead.",
        (_, CredentialOriginKind.CredentialHelper) =>
            $"Log in again (docker login {e.Registry}) so that the helper stores working credentials, or check the helper.",
        _ when e.WasIdentityToken =>
            $"The identity token may have expired: log in again (docker login {e.Registry} or podman login {e.Registry}).",
        _ =>
            $"Log in again (docker login {e.Registry} or podman login {e.Registry}) to replace them.",
    };

    /// <summary>The build was cancelled (Ctrl+C, or the IDE's stop): nothing is named by a half-sent image.</summary>
    public static (string Code, string Message) Cancelled
        => (DiagnosticCodes.Cancelled, "PublishImage was cancelled; no tag was changed and no partial file was left.");

    /// <summary>A warning's code and words.</summary>
    public static (string Code, string Message) Describe(PublishWarning warning) => warning switch
    {
        SecretLookingFilesWarning secrets => (DiagnosticCodes.SecretLookingFile,
            $"These published files look like secrets and will be readable by anyone who can pull the image: {string.Join(", ", secrets.Files)}. Keep them out of the publish output (CopyToPublishDirectory=\"Never\") and give secrets to the container at run time."),
        CorruptLayerRemadeWarning corrupt => (DiagnosticCodes.CorruptLayerRemade,
            $"{corrupt.Reason} It was made again and sent to {corrupt.Destination}. If this repeats, check the disk of the content store (ContainersBuildContentStore)."),
        NativeDependencyWarning native => DescribeNative(native.Report, native.Finding, "Set ContainerNativeDependencyCheck=false if the app never loads it"),
        ReferrerNotCarriedWarning notCarried => (DiagnosticCodes.AttachmentRefused,
            $"The referrer {notCarried.Artifact} (an SBOM or provenance) of the old image could not be moved to the rebased image {notCarried.NewImage} on {notCarried.Registry} ({notCarried.Reason}); the image itself is rebased and tagged. Publish again with -t:PublishImage to attach fresh documents."),
        ReferrerNotCopiedWarning notCopied => (DiagnosticCodes.AttachmentRefused,
            (notCopied.Artifact is { } artifact
                ? $"The referrer {artifact} (an SBOM, provenance or signature) of the image {notCopied.Image} could not be copied from {notCopied.From} to {notCopied.Registry} ({notCopied.Reason}); "
                : $"The referrers (SBOM, provenance, signatures) of the image {notCopied.Image} could not be listed in {notCopied.From} ({notCopied.Reason}), so none was copied to {notCopied.Registry}; ")
            + "the joined index is pushed and tagged. Copy them yourself (oras copy -r, regctl image copy --referrers), or push the platforms to the target repository first (ContainerRegistry and ContainerRepository on each runner's publish), where they keep theirs."),
        NativeCheckSkippedWarning skipped => (DiagnosticCodes.NativeCheckSkipped,
            $"The check that the app's native libraries will load in the {skipped.Platform} image was not done: {skipped.Reason} The image is published all the same; set ContainerNativeDependencyCheck=false to stop trying."),
        AttachmentRefusedWarning refused => (DiagnosticCodes.AttachmentRefused,
            $"The registry {refused.Registry} did not take the {(refused.Attachment.Kind == Images.AttachmentKind.Sbom ? "SBOM" : "provenance")} of the {refused.Attachment.Platform} image {refused.Attachment.Subject.Digest} ({refused.Reason}); the image itself is pushed and tagged. "
            + "The document is beside the facts file (ContainerImageFactsPath). If the registry does not take OCI artifacts, set "
            + (refused.Attachment.Kind == Images.AttachmentKind.Sbom ? "ContainerSbom=false" : "ContainerProvenance=false") + " to stop trying."),
        _ => throw new ArgumentOutOfRangeException(nameof(warning), warning, "A warning with no words."),
    };
}
