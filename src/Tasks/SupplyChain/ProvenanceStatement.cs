using System.Text.Json.Nodes;
using Containers.Build.Images;
using Containers.Build.Model;

namespace Containers.Build.SupplyChain;

/// <summary>
/// A publish's provenance as an in-toto Statement v1 with a SLSA v1 provenance predicate: the image manifests it made,
/// how it was asked for (<c>externalParameters</c>), the SDK (<c>internalParameters</c>), what it was made from
/// (<c>resolvedDependencies</c>: the base image by digest, the source commit) and who ran it (<c>runDetails</c>: this
/// builder and, in CI, the run's address). The clock is never read here: start and finish times appear only when the
/// input has them, so the same build gives the same bytes.
/// </summary>
public static class ProvenanceStatement
{
    public const string PayloadType = "application/vnd.in-toto+json";
    public const string StatementType = "https://in-toto.io/Statement/v1";
    public const string PredicateType = "https://slsa.dev/provenance/v1";
    public const string BuildType = "https://containers.build/buildtypes/publish-image/v1";

    /// <summary>The statement, with the CI run read from this process's environment.</summary>
    public static byte[] Write(ProvenanceInput input) => Write(input, Environment.GetEnvironmentVariable);

    /// <param name="environment">Looks up an environment variable (null when unset); only CI variables are read (<see cref="CiInvocation"/>).</param>
    public static byte[] Write(ProvenanceInput input, Func<string, string?> environment)
    {
        var subjects = input.Subjects
            .DistinctBy(s => (s.Name, s.Digest))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ThenBy(s => s.Digest.Hex, StringComparer.Ordinal)
            .Select(s => (JsonNode)new JsonObject
            {
                ["name"] = s.Name,
                ["digest"] = new JsonObject { ["sha256"] = s.Digest.Hex },
            })
            .ToArray();

        var statement = new JsonObject
        {
            ["_type"] = StatementType,
            ["subject"] = new JsonArray(subjects),
            ["predicateType"] = PredicateType,
            ["predicate"] = new JsonObject
            {
                ["buildDefinition"] = new JsonObject
                {
                    ["buildType"] = BuildType,
                    ["externalParameters"] = new JsonObject
                    {
                        ["project"] = input.Project,
                        ["configuration"] = input.Configuration,
                        ["runtimeIdentifiers"] = new JsonArray(input.RuntimeIdentifiers.Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
                        ["containerProperties"] = ContainerProperties(input.ContainerProperties),
                    },
                    ["internalParameters"] = new JsonObject { ["sdkVersion"] = input.SdkVersion },
                    ["resolvedDependencies"] = ResolvedDependencies(input),
                },
                ["runDetails"] = new JsonObject
                {
                    ["builder"] = new JsonObject
                    {
                        ["id"] = $"https://containers.build/builder/{input.ToolVersion}",
                        ["version"] = new JsonObject
                        {
                            ["containers.build"] = input.ToolVersion,
                            ["dotnet-sdk"] = input.SdkVersion,
                        },
                    },
                    ["metadata"] = Metadata(input, environment),
                },
            },
        };
        return JsonContent.Serialize(statement);
    }

    /// <summary>Sorted by name, without any whose name looks like it holds a secret (<see cref="SecretLikeNames"/>).</summary>
    private static JsonObject ContainerProperties(IReadOnlyDictionary<string, string> properties)
    {
        var json = new JsonObject();
        foreach (var (name, value) in properties.Where(p => !SecretLikeNames.IsSecretLike(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json[name] = value;
        }
        return json;
    }

    private static JsonArray ResolvedDependencies(ProvenanceInput input)
    {
        var dependencies = new JsonArray();
        if (!input.BaseImage.IsScratch && input.BaseImage.Digest is { } baseDigest)
        {
            dependencies.Add(new JsonObject
            {
                // No arch qualifier: the digest is what the base's name resolved to, for every platform built.
                ["uri"] = ImagePackageUrl.ForBase(input.BaseImage, platform: null),
                ["digest"] = new JsonObject { ["sha256"] = baseDigest.Hex },
            });
        }
        if (input.Source is { } source)
        {
            dependencies.Add(new JsonObject
            {
                ["uri"] = "git+" + GitUrl.WithoutCredentials(source.Url),
                ["digest"] = new JsonObject { ["gitCommit"] = source.Commit.ToLowerInvariant() },
            });
        }
        return dependencies;
    }

    private static JsonObject Metadata(ProvenanceInput input, Func<string, string?> environment)
    {
        var metadata = new JsonObject();
        if (CiInvocation.Id(environment) is { } invocationId)
        {
            metadata["invocationId"] = invocationId;
        }
        if (input.StartedOn is { } started)
        {
            metadata["startedOn"] = GeneratedLabels.FormatTime(started);
        }
        if (input.FinishedOn is { } finished)
        {
            metadata["finishedOn"] = GeneratedLabels.FormatTime(finished);
        }
        return metadata;
    }
}
