using Containers.Build.Model;
using Containers.Build.References;

namespace Containers.Build.Publishing.Rebase;

/// <summary>
/// The guard that makes a rebase safe: the image's lowest layers must be exactly its old base's (same digests, same
/// count, in order) and its diff_ids must begin with the old base's. Only then are the layers above the base the
/// image's own, and only those may be kept on a new base.
/// </summary>
internal static class BasePrefix
{
    /// <exception cref="RebaseBaseNotPrefixException">Naming the first layer (or diff_id) that differs.</exception>
    public static void Check(SourcePlatformImage image, OldBase oldBase, ImageReference reference)
    {
        string? difference = null;
        var imageLayers = image.Manifest.Layers;
        var baseLayers = oldBase.Manifest.Layers;
        var imageDiffIds = image.Config.DiffIds;
        var baseDiffIds = oldBase.Config.DiffIds;
        if (baseLayers.Count > imageLayers.Count)
        {
            difference = $"that base has {baseLayers.Count} layers, the image only {imageLayers.Count}";
        }
        else if (FirstDifference(imageLayers.Select(l => l.Digest).ToArray(), baseLayers.Select(l => l.Digest).ToArray()) is { } layer)
        {
            difference = $"the image's layer {layer} is {imageLayers[layer].Digest}, the base's is {baseLayers[layer].Digest}";
        }
        else if (baseDiffIds.Count != baseLayers.Count || imageDiffIds.Count < baseDiffIds.Count)
        {
            difference = $"that base has {baseLayers.Count} layers and {baseDiffIds.Count} diff_ids, the image {imageDiffIds.Count} diff_ids";
        }
        else if (FirstDifference(imageDiffIds, baseDiffIds) is { } diffId)
        {
            difference = $"the image's diff_id {diffId} is {imageDiffIds[diffId]}, the base's is {baseDiffIds[diffId]}";
        }
        if (difference is not null)
        {
            throw new RebaseBaseNotPrefixException(reference, image.Platform, image.Base.Name, image.Base.Digest, difference);
        }
    }

    /// <summary>The first index where <paramref name="image"/> differs from <paramref name="prefix"/> (which is not longer).</summary>
    private static int? FirstDifference(IReadOnlyList<Digest> image, IReadOnlyList<Digest> prefix)
    {
        for (var i = 0; i < prefix.Count; i++)
        {
            if (image[i] != prefix[i])
            {
                return i;
            }
        }
        return null;
    }
}
