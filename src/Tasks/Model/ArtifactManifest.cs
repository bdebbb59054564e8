using System.Text.Json.Nodes;

namespace Containers.Build.Model;

/// <summary>
/// An OCI 1.1 artifact that refers to an image (an SBOM, a provenance statement): an image manifest whose
/// <c>artifactType</c> says what it holds, with the empty config, the document as its one layer, and the image's
/// manifest as its <c>subject</c>, so registries (the referrers API, or the <c>sha256-&lt;hex&gt;</c> tag) and layouts
/// list it among the image's referrers.
/// </summary>
public sealed class ArtifactManifest
{
    /// <summary>The empty config (<c>{}</c>) that artifacts without a config of their own use.</summary>
    public static readonly byte[] EmptyConfig = "{}"u8.ToArray();

    public static readonly Descriptor EmptyConfigDescriptor = new(MediaTypes.OciEmpty, Digest.Compute(EmptyConfig), EmptyConfig.Length);

    private ArtifactManifest(byte[] bytes, string artifactType, Descriptor document, Descriptor subject, IReadOnlyList<KeyValuePair<string, string>> annotations)
    {
        Bytes = bytes;
        ArtifactType = artifactType;
        Document = document;
        Subject = subject;
        Annotations = annotations;
        Digest = Digest.Compute(bytes);
    }

    public byte[] Bytes { get; }
    public Digest Digest { get; }
    public string ArtifactType { get; }
    public Descriptor Document { get; }
    public Descriptor Subject { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Annotations { get; }
    public string MediaType => MediaTypes.OciManifest;

    public static ArtifactManifest Create(string artifactType, Descriptor document, Descriptor subject, IReadOnlyList<KeyValuePair<string, string>> annotations)
    {
        var bytes = JsonContent.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", MediaTypes.OciManifest);
            writer.WriteString("artifactType", artifactType);
            writer.WritePropertyName("config");
            EmptyConfigDescriptor.WriteTo(writer);
            writer.WriteStartArray("layers");
            document.WriteTo(writer);
            writer.WriteEndArray();
            writer.WritePropertyName("subject");
            subject.WriteTo(writer);
            JsonContent.WriteAnnotations(writer, annotations);
            writer.WriteEndObject();
        });
        return new ArtifactManifest(bytes, artifactType, document, subject, annotations);
    }

    /// <summary>Its entry in a referrers list (the referrers API's index, the tag schema's, an OCI layout's index.json).</summary>
    public JsonObject ToReferrerEntry()
    {
        var entry = new JsonObject
        {
            ["mediaType"] = MediaType,
            ["digest"] = Digest.ToString(),
            ["size"] = Bytes.LongLength,
            ["artifactType"] = ArtifactType,
        };
        if (Annotations.Count > 0)
        {
            entry["annotations"] = new JsonObject(Annotations.DistinctBy(a => a.Key).Select(a => KeyValuePair.Create(a.Key, (JsonNode?)JsonValue.Create(a.Value))));
        }
        return entry;
    }
}
