using System.Text.Json.Nodes;
using Containers.Build.Tasks;
using static Containers.Build.Tests.PeerVectors.PeerVectorData;

namespace Containers.Build.Tests.PeerVectors;

/// <summary>
/// Base-image inference against the .NET SDK's TargetsTests (CanComputeTagsForSupportedSDKVersions,
/// CanTakeContainerBaseFamilyIntoAccount, MuslRidsGetAlpineContainers, the AOT and trimming matrices, ...).
/// A vector expects 'image &lt;reference&gt;', 'suffix &lt;tag&gt;' (the tag alone) or 'err'.
/// </summary>
public class InferenceVectorTests
{
    public static TheoryData<string> Inferences => Ids(DotnetSdk, "infer");

    [Theory]
    [MemberData(nameof(Inferences))]
    public void Sdk_inference_gives_our_base_image(string id)
    {
        var vector = Get(DotnetSdk, id);
        var input = (JsonObject)vector.Row!["input"]!;
        string ours;
        try
        {
            var image = BaseImageInference.Infer(new BaseImageInference.Inputs
            {
                SdkVersion = (string)input["sdk"]!,
                TargetFrameworkVersion = (string)input["tfm"]!,
                RuntimeIdentifiers = ((JsonArray)input["rids"]!).Select(r => (string)r!).ToArray(),
                ContainerFamily = (string?)input["family"],
                IsSelfContained = (bool)input["selfContained"]!,
                IsAotPublished = (bool)input["aot"]!,
                IsTrimmed = (bool)input["trimmed"]!,
                UsesInvariantGlobalization = (bool)input["invariant"]!,
                FrameworkReferences = (bool)input["web"]! ? ["Microsoft.NETCore.App", "Microsoft.AspNetCore.App"] : ["Microsoft.NETCore.App"],
            });
            ours = vector.Expect.StartsWith("suffix ", StringComparison.Ordinal)
                ? "suffix " + image[(image.LastIndexOf(':') + 1)..]
                : "image " + image;
        }
        catch (ContainersBuildException)
        {
            ours = "err";
        }
        Check(vector, ours);
    }
}
