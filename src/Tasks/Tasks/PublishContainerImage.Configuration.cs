using Containers.Build.Images;
using Microsoft.Build.Framework;

namespace Containers.Build.Tasks;

/// <summary>The task parameters of the configuration surface: app command arguments, build labels, mirrors.</summary>
public sealed partial class PublishContainerImage
{
    /// <summary>@(ContainerAppCommandArgs).</summary>
    public ITaskItem[] AppCommandArgs { get; set; } = [];

    /// <summary>@(ContainerDefaultArgs).</summary>
    public ITaskItem[] DefaultArgs { get; set; } = [];

    /// <summary>$(ContainerAppCommandInstruction): Entrypoint (default), DefaultArgs or None.</summary>
    public string? AppCommandInstruction { get; set; }

    /// <summary>org.opencontainers.image.created (and artifact.created), with the image's own time.</summary>
    public bool GenerateCreatedLabel { get; set; }

    /// <summary>org.opencontainers.image.base.name, the canonical base name.</summary>
    public bool GenerateBaseNameLabel { get; set; }

    /// <summary>org.opencontainers.image.base.digest, the digest the base name resolved to.</summary>
    public bool GenerateBaseDigestLabel { get; set; }

    /// <summary>@(ContainerRegistryMirror): Include is a registry, Mirror its mirror.</summary>
    public ITaskItem[] RegistryMirrors { get; set; } = [];

    private ImageRequestParser.Inputs WithConfiguration(ImageRequestParser.Inputs inputs) => inputs with
    {
        AppCommandArgs = AppCommandArgs.Select(i => i.ItemSpec).ToArray(),
        DefaultArgs = DefaultArgs.Select(i => i.ItemSpec).ToArray(),
        AppCommandInstruction = AppCommandInstruction,
        GeneratedLabels = new LabelGeneration(GenerateCreatedLabel, GenerateBaseNameLabel, GenerateBaseDigestLabel),
        RegistryMirrors = RegistryMirrors.Select(i => (i.ItemSpec, (string?)i.GetMetadata("Mirror"))).ToArray(),
        RegistryMirrorsEnvironment = Environment.GetEnvironmentVariable(Containers.Build.Registry.RegistryMirrors.EnvironmentVariable),
    };
}
