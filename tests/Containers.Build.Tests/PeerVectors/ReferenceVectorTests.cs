using Containers.Build.Model;
using Containers.Build.References;
using static Containers.Build.Tests.PeerVectors.PeerVectorData;

namespace Containers.Build.Tests.PeerVectors;

/// <summary>
/// Image references, registries, repository names, tags and digests, against distribution/reference,
/// go-containerregistry's pkg/name and the .NET SDK's ContainerHelpers/DigestUtils tests.
/// </summary>
public class ReferenceVectorTests
{
    public static TheoryData<string> DistributionRefs => Ids(DistributionReference, "ref", "pullref");
    public static TheoryData<string> DistributionRegistries => Ids(DistributionReference, "registry");
    public static TheoryData<string> GcrRefs => Ids(GoContainerRegistry, "ref", "pullref");
    public static TheoryData<string> GcrRegistries => Ids(GoContainerRegistry, "registry");
    public static TheoryData<string> SdkRefs => Ids(DotnetSdk, "ref");
    public static TheoryData<string> SdkRegistries => Ids(DotnetSdk, "registry");
    public static TheoryData<string> SdkRepositoryNames => Ids(DotnetSdk, "repo-valid");
    public static TheoryData<string> SdkDigests => Ids(DotnetSdk, "digest");

    [Theory]
    [MemberData(nameof(DistributionRefs))]
    public void Distribution_reference_parses_as_we_do(string id) => CheckReference(Get(DistributionReference, id));

    [Theory]
    [MemberData(nameof(DistributionRegistries))]
    public void Distribution_domain_is_a_registry_as_we_see_it(string id) => CheckRegistry(Get(DistributionReference, id));

    [Theory]
    [MemberData(nameof(GcrRefs))]
    public void Go_containerregistry_name_parses_as_we_do(string id) => CheckReference(Get(GoContainerRegistry, id));

    [Theory]
    [MemberData(nameof(GcrRegistries))]
    public void Go_containerregistry_registry_is_a_registry_as_we_see_it(string id) => CheckRegistry(Get(GoContainerRegistry, id));

    [Theory]
    [MemberData(nameof(SdkRefs))]
    public void Sdk_container_name_parses_as_we_do(string id) => CheckReference(Get(DotnetSdk, id));

    [Theory]
    [MemberData(nameof(SdkRegistries))]
    public void Sdk_registry_is_a_registry_as_we_see_it(string id) => CheckRegistry(Get(DotnetSdk, id));

    [Theory]
    [MemberData(nameof(SdkRepositoryNames))]
    public void Sdk_image_name_is_a_repository_name_as_we_see_it(string id)
    {
        var vector = Get(DotnetSdk, id);
        Check(vector, OkOrErr(() => RepositoryName.IsValid(vector.Input)));
    }

    [Theory]
    [MemberData(nameof(SdkDigests))]
    public void Sdk_digest_parses_as_we_do(string id)
    {
        var vector = Get(DotnetSdk, id);
        Check(vector, OkOrErr(() => Digest.TryParse(vector.Input, out var digest) && digest.ToString() == vector.Input));
    }

    /// <summary>
    /// 'ok &lt;canonical&gt;' as the vectors write it: registry/repository[:tag][@digest], Docker Hub as docker.io
    /// (we name it by its API host, registry-1.docker.io, which docker.io means); for a pullref, a digest replaces the tag.
    /// </summary>
    private static void CheckReference(PeerVector vector)
    {
        var ours = OkValueOrErr(() =>
        {
            var reference = ImageReference.Parse(vector.Input);
            if (vector.Kind == "pullref" && reference.Digest is not null)
            {
                reference = reference with { Tag = null };
            }
            var text = reference.ToString();
            return text.StartsWith(RegistryHost.DockerHub + "/", StringComparison.Ordinal)
                ? "docker.io" + text[RegistryHost.DockerHub.Length..]
                : text;
        });
        Check(vector, ours);
    }

    private static void CheckRegistry(PeerVector vector) => Check(vector, OkOrErr(() => RegistryHost.TryParse(vector.Input, out _, out _)));
}
