using Containers.Build.Registry;

namespace Containers.Build.Publishing.Destinations;

/// <summary>What every destination may use besides the image: the publish's registry clients and what the layer stage did.</summary>
/// <param name="Clients">One client per registry and access, shared with the base image's reads (one set of tokens).</param>
/// <param name="Layers">How many of the new layers came from the cache, for the summary line.</param>
/// <param name="Warn">Where a destination says what it could not do that does not fail the publish (an attachment a registry refused).</param>
public sealed record DestinationContext(RegistryClientFactory Clients, LayerReport Layers, Action<PublishWarning>? Warn = null);
