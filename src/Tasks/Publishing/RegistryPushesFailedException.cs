namespace Containers.Build.Publishing;

/// <summary>
/// ContainerRegistry lists several registries and at least one did not take the image. Every registry was sent
/// it: <see cref="Outcome"/> holds those that have it (its Destinations) and those that failed, each with its own
/// failure (its FailedRegistries).
/// </summary>
public sealed class RegistryPushesFailedException(PublishOutcome outcome)
    : Exception(Describe(outcome))
{
    public PublishOutcome Outcome { get; } = outcome;

    private static string Describe(PublishOutcome outcome)
    {
        var failed = string.Join("; ", outcome.FailedRegistries.Select(f => $"{f.Registry} ({f.Error.Message.TrimEnd('.')})"));
        var pushed = outcome.Destinations.Where(d => d.Registry is not null).Select(d => d.Registry!.ToString()).ToArray();
        return $"The image {outcome.Images.Digest} was not pushed to {failed}. "
            + (pushed.Length == 0 ? "No registry has it." : $"It was pushed to {string.Join(", ", pushed)}.");
    }
}
