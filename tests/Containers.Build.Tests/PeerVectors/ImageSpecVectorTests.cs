using System.Text;
using System.Text.Json.Nodes;
using Containers.Build.Model;
using static Containers.Build.Tests.PeerVectors.PeerVectorData;

namespace Containers.Build.Tests.PeerVectors;

/// <summary>
/// The OCI image-spec's schema fixtures (schema/{config,manifest,imageindex,descriptor}_test.go), read as a base
/// image's documents are read: 'ok' when we accept the document, 'err' when reading it fails (a base image we
/// cannot read is CB2006). The fixtures expect 'err' for every schema violation; we check the fields we use.
/// </summary>
public class ImageSpecVectorTests
{
    public static TheoryData<string> Documents => Ids(ImageSpec, "config", "manifest", "index", "descriptor");

    [Theory]
    [MemberData(nameof(Documents))]
    public void Image_spec_fixture_is_read_as_we_do(string id)
    {
        var vector = Get(ImageSpec, id);
        var bytes = Encoding.UTF8.GetBytes((string)vector.Row!["json"]!);
        Check(vector, OkOrErr(() =>
        {
            switch (vector.Kind)
            {
                case "config":
                    _ = ImageConfig.Parse(bytes);
                    break;
                case "manifest":
                    _ = ImageManifest.Parse(bytes);
                    break;
                case "index":
                    _ = ImageIndex.Parse(bytes);
                    break;
                default:
                    _ = Descriptor.FromJson(JsonNode.Parse(bytes), "The descriptor");
                    break;
            }
            return true;
        }));
    }
}
