namespace Containers.Build.Publishing;

/// <summary>Something the user should hear about that does not stop the publish; the task decides its code and words.</summary>
public abstract record PublishWarning;

/// <summary>Published files that look like secrets (keys, certificates, connection strings) and would be readable by anyone who pulls the image.</summary>
public sealed record SecretLookingFilesWarning(IReadOnlyList<string> Files) : PublishWarning;

/// <summary>A layer's stored copy no longer matched its digest (a disk error, a tampered cache): it was made again and sent once more.</summary>
public sealed record CorruptLayerRemadeWarning(Model.Digest Layer, string Destination, string Reason) : PublishWarning;

/// <summary>A native file of the app that will not load in the image (ContainerNativeDependencyCheck=true, the default).</summary>
public sealed record NativeDependencyWarning(Stages.NativeDependencyReport Report, Native.NativeDependencyFinding Finding) : PublishWarning;

/// <summary>A registry refused an image's SBOM or provenance; the image itself was pushed.</summary>
public sealed record AttachmentRefusedWarning(Images.ImageAttachment Attachment, string Registry, string Reason) : PublishWarning;

/// <summary>A rebased image's old SBOM or provenance could not be read, so it does not follow the new digest; the rebase is done.</summary>
public sealed record ReferrerNotCarriedWarning(Model.Digest Artifact, Model.Digest NewImage, string Registry, string Reason) : PublishWarning;

/// <summary>The native dependency check could not read the image (a base layer it could not fetch or list): it was not done.</summary>
public sealed record NativeCheckSkippedWarning(Model.Platform Platform, string Reason) : PublishWarning;

/// <summary>
/// A referrer (SBOM, provenance, signature) of an image the join copied into the repository could not be copied with it
/// (<paramref name="Artifact"/> null: its referrers could not be listed); the index is pushed and tagged.
/// </summary>
public sealed record ReferrerNotCopiedWarning(Model.Digest? Artifact, Model.Digest Image, string From, string Registry, string Reason) : PublishWarning;
