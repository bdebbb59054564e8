using Containers.Build.Images;
using Containers.Build.Model;
using Containers.Build.Publishing.Join;
using Containers.Build.References;

namespace Containers.Build.Tasks;

/// <summary>
/// Platform images built on separate machines: each runner publishes its platform by digest only
/// (ContainerPublishUntagged), and JoinImage puts them under the tags as one index (ContainerJoinImages).
/// </summary>
public static partial class ImageRequestParser
{
    public sealed partial record Inputs
    {
        /// <summary>$(ContainerPublishUntagged): true pushes the image by digest only; no tag is created or moved.</summary>
        public string? PublishUntagged { get; init; }
    }

    /// <summary>
    /// ContainerPublishUntagged: true or false (empty). An image by digest only goes to a registry or an OCI layout;
    /// an archive and a local engine name their images by tag, and platform tags are tags.
    /// </summary>
    private static bool ParsePublishUntagged(Inputs inputs, IReadOnlyList<RegistryHost> registries, string? archive, string? layout)
    {
        var untagged = inputs.PublishUntagged?.Trim().ToLowerInvariant() switch
        {
            null or "" or "false" => false,
            "true" => true,
            _ => throw new ContainersBuildException(DiagnosticCodes.PublishUntaggedInvalid,
                $"ContainerPublishUntagged '{inputs.PublishUntagged}' is not true or false. Use true to push the image by digest only (no tag created or moved), for a later JoinImage to put several runners' platforms under one tag; false (the default) tags it."),
        };
        if (!untagged)
        {
            return false;
        }
        if (inputs.PlatformTags)
        {
            throw new ContainersBuildException(DiagnosticCodes.PublishUntaggedInvalid,
                "ContainerPublishUntagged=true pushes the image by digest only, and ContainerPublishPlatformTags=true would tag each platform's manifest <tag>-<rid>. Set only one of them: a runner's publish for JoinImage leaves no tag behind.");
        }
        if (archive is not null)
        {
            throw new ContainersBuildException(DiagnosticCodes.PublishUntaggedInvalid,
                "ContainerPublishUntagged=true pushes the image by digest only, but an archive (ContainerArchiveOutputPath) names its image by tag, which is what docker load and podman load read. Leave ContainerArchiveOutputPath empty; publish to ContainerRegistry, or to ContainerOciLayoutPath on a runner with no registry access.");
        }
        if (registries.Count == 0 && layout is null)
        {
            throw new ContainersBuildException(DiagnosticCodes.PublishUntaggedInvalid,
                "ContainerPublishUntagged=true pushes the image by digest only to ContainerRegistry (or lists it in ContainerOciLayoutPath), and neither is set: a local engine names its images by tag. Set ContainerRegistry, or ContainerOciLayoutPath on a runner with no registry access.");
        }
        return true;
    }

    /// <summary>
    /// JoinImage's request: the images (each entry of ContainerJoinImages and the ContainerJoinImage items, wildcards
    /// expanded by the targets), and where the index goes: ContainerRegistry, ContainerRepository (or one made from
    /// AssemblyName), under ContainerImageTags or ContainerImageTag (latest).
    /// </summary>
    /// <param name="joinImages">$(ContainerJoinImages) as written, for messages: its entries are among <paramref name="entries"/>.</param>
    /// <param name="entries">Each image to join: registry/repository@sha256:…, a facts file, oci:DIR[:TAG|@DIGEST] or a layout directory.</param>
    public static JoinRequest ParseJoin(Inputs inputs, string? joinImages, IReadOnlyList<string> entries, Action<string> log, Action<string, string>? warn = null)
    {
        var sources = entries.Select(e => e.Trim()).Where(e => e.Length > 0).Select(ParseJoinSource).ToArray();
        if (sources.Length == 0)
        {
            throw new ContainersBuildException(DiagnosticCodes.JoinImagesMissing, string.IsNullOrWhiteSpace(joinImages)
                ? "JoinImage joins the images named in ContainerJoinImages (or ContainerJoinImage items), and none is named. List each runner's facts file (the container-image.json its publish wrote) or image by digest, separated by ';': -p:ContainerJoinImages=\"facts/linux-x64/container-image.json;facts/linux-arm64/container-image.json\"."
                : $"ContainerJoinImages '{joinImages}' names no image: its wildcards matched no file. Check the path the runners' facts files were downloaded to (relative paths are taken from the project's folder).");
        }
        var registries = ParseRegistries(inputs.Registry);
        if (registries.Count == 0)
        {
            throw new ContainersBuildException(DiagnosticCodes.JoinRegistryInvalid,
                "JoinImage pushes the index of the joined images to a registry, and ContainerRegistry is not set. Set ContainerRegistry (with ContainerRepository and ContainerImageTags) to where the tags go, e.g. -p:ContainerRegistry=myregistry.azurecr.io.");
        }
        // ContainerImageName is the SDK's obsolete name for the repository; the publish warns about it already.
        var repository = ParseRepository(string.IsNullOrWhiteSpace(inputs.ImageName) ? inputs.Repository : inputs.ImageName, inputs.AssemblyName, inputs.RepositoryPrefix, log, warn);
        var tags = ParseTags(inputs.ImageTag, inputs.ImageTags);
        if (registries.Count > 1)
        {
            // One join puts one index in one registry: moving the tags in the first registry only would leave the others
            // without a word; one join per registry, each named, says what goes where.
            throw new ContainersBuildException(DiagnosticCodes.JoinRegistryInvalid,
                $"JoinImage puts the index in one registry, and ContainerRegistry lists {registries.Count} ({string.Join(", ", registries)}). Run JoinImage once for each registry, with ContainerRegistry set to it (e.g. -p:ContainerRegistry={registries[0]}); each copies the images it lacks.");
        }
        var registry = registries[0];
        var store = string.IsNullOrWhiteSpace(inputs.ContentStoreDirectory) ? Path.Combine("obj", "containers") : inputs.ContentStoreDirectory;
        return new JoinRequest(registry, repository, tags, sources, Path.GetFullPath(store),
            string.IsNullOrWhiteSpace(inputs.FactsPath) ? null : Path.GetFullPath(inputs.FactsPath));
    }

    /// <summary>
    /// One entry: <c>oci:DIR[:TAG|@DIGEST]</c>, a directory (an OCI layout), a file or a name ending in .json (a facts
    /// file), else a registry reference, which must have a digest.
    /// </summary>
    internal static JoinSource ParseJoinSource(string entry)
    {
        if (entry.StartsWith("oci:", StringComparison.Ordinal))
        {
            return ParseLayoutEntry(entry);
        }
        if (BaseImageLocation.FileTransports.FirstOrDefault(t => entry.StartsWith(t + ":", StringComparison.Ordinal)) is { } transport)
        {
            throw new ContainersBuildException(DiagnosticCodes.JoinImageInvalid,
                $"The image to join '{entry}' is in {(transport.EndsWith("archive", StringComparison.Ordinal) ? "an archive" : "a local engine")} ({transport}:), which JoinImage does not read. Push it to a registry and name it by digest, or copy it into an OCI layout (skopeo copy {transport}:… oci:DIR) and name that (oci:DIR).");
        }
        var path = Path.GetFullPath(entry);
        if (Directory.Exists(path))
        {
            return new LayoutJoinSource(entry, path, null, null);
        }
        if (File.Exists(path) || entry.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return new FactsJoinSource(entry, path);
        }
        ImageReference reference;
        try
        {
            reference = ImageReference.Parse(entry);
        }
        catch (InvalidReferenceException e)
        {
            throw new ContainersBuildException(DiagnosticCodes.JoinImageInvalid,
                $"The image to join '{entry}' is not an image by digest, a facts file or an OCI layout: {e.Message} Give registry/repository@sha256:…, the facts file a runner's publish wrote (container-image.json), or oci:DIR[@sha256:…].");
        }
        if (reference.Digest is null)
        {
            throw new ContainersBuildException(DiagnosticCodes.JoinImageInvalid,
                $"The image to join '{entry}' names its image by tag ({reference.Tag}) and is no file or directory here: a tag can move between a runner's push and the join, so JoinImage takes images by digest. Give {reference.Registry}/{reference.Repository}@sha256:… (the digest its publish reported, GeneratedContainerDigest), or the facts file its publish wrote (ContainerImageFactsPath).");
        }
        return new RegistryJoinSource(entry, reference);
    }

    /// <summary><c>oci:DIR</c>, <c>oci:DIR:TAG</c> (a ref.name in its index.json) or <c>oci:DIR@sha256:…</c>; the directory ends at the first ':' after the transport, as in skopeo.</summary>
    private static LayoutJoinSource ParseLayoutEntry(string entry)
    {
        var rest = entry["oci:".Length..];
        Digest? digest = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            if (!Digest.TryParse(rest[(at + 1)..], out var parsed))
            {
                throw new ContainersBuildException(DiagnosticCodes.JoinImageInvalid,
                    $"The image to join '{entry}' has '{rest[(at + 1)..]}' after '@', which is not a sha256 digest. Write oci:DIR@sha256:<64 hex digits>, oci:DIR:TAG, or oci:DIR for a layout with one image.");
            }
            digest = parsed;
            rest = rest[..at];
        }
        var colon = rest.IndexOf(':');
        var directory = colon < 0 ? rest : rest[..colon];
        var tag = colon < 0 ? null : rest[(colon + 1)..];
        if (directory.Length == 0 || tag is { Length: 0 })
        {
            throw new ContainersBuildException(DiagnosticCodes.JoinImageInvalid,
                $"The image to join '{entry}' names no {(directory.Length == 0 ? "directory" : "tag")}. Write oci:DIR@sha256:…, oci:DIR:TAG, or oci:DIR for a layout with one image.");
        }
        return new LayoutJoinSource(entry, Path.GetFullPath(directory), digest is null ? tag : null, digest);
    }
}
