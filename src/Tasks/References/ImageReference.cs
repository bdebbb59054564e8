using Containers.Build.Model;

namespace Containers.Build.References;

/// <summary>
/// A fully qualified image reference: registry, repository, and a tag and/or digest. Parsing follows the
/// docker reference grammar: the first path component is a registry when it contains '.' or ':' or a capital
/// letter, or is 'localhost'; otherwise the image lives on Docker Hub, with 'library/' before one-component names.
/// </summary>
public sealed record ImageReference(RegistryHost Registry, string Repository, string? Tag, Digest? Digest)
{
    public static ImageReference Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidReferenceException("The image reference is empty.");
        }
        if (text != text.Trim() || text.Contains("://", StringComparison.Ordinal))
        {
            throw new InvalidReferenceException($"'{text}' is not an image reference: write registry/repository[:tag][@digest] without a scheme or spaces.");
        }

        var remainder = text;
        Digest? digest = null;
        var at = remainder.IndexOf('@');
        if (at >= 0)
        {
            var digestText = remainder[(at + 1)..];
            if (!Digest.TryParse(digestText, out var parsed))
            {
                throw new InvalidReferenceException($"'{digestText}' in '{text}' is not a sha256 digest.");
            }
            digest = parsed;
            remainder = remainder[..at];
        }

        string? tag = null;
        var lastSlash = remainder.LastIndexOf('/');
        var colon = remainder.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = remainder[(colon + 1)..];
            remainder = remainder[..colon];
            if (!ImageTag.IsValid(tag))
            {
                throw new InvalidReferenceException($"'{tag}' in '{text}' is not a valid tag: a tag is 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'.");
            }
        }

        RegistryHost registry;
        string repository;
        var firstSlash = remainder.IndexOf('/');
        var first = firstSlash < 0 ? null : remainder[..firstSlash];
        // As docker's splitDockerDomain: a first component with capitals is a host too (no repository may have them).
        if (first is not null && (first.Contains('.') || first.Contains(':') || first == "localhost" || first.StartsWith('[') || first.Any(char.IsAsciiLetterUpper)))
        {
            if (!RegistryHost.TryParse(first, out registry, out var reason))
            {
                throw new InvalidReferenceException($"'{first}' in '{text}' is not a registry: {reason}.");
            }
            repository = remainder[(firstSlash + 1)..];
        }
        else
        {
            registry = RegistryHost.Parse(RegistryHost.DockerHub);
            repository = remainder;
        }

        if (repository.Length == 0)
        {
            throw new InvalidReferenceException($"'{text}' names no repository: write registry/repository[:tag].");
        }
        if (!RepositoryName.IsValid(repository))
        {
            throw new InvalidReferenceException($"'{repository}' in '{text}' is not a valid repository name: use lowercase letters, digits and separators ('.', '_', '-'), in components separated by '/'.");
        }
        if (registry.IsDockerHub && !repository.Contains('/'))
        {
            repository = "library/" + repository;
        }
        if (tag is null && digest is null)
        {
            tag = "latest";
        }
        return new ImageReference(registry, repository, tag, digest);
    }

    /// <summary>The digest when there is one (it pins the content), else the tag.</summary>
    public string Reference => Digest?.ToString() ?? Tag!;

    public override string ToString()
    {
        var text = $"{Registry}/{Repository}";
        if (Tag is not null)
        {
            text += ":" + Tag;
        }
        if (Digest is not null)
        {
            text += "@" + Digest;
        }
        return text;
    }
}
