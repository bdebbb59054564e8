using System.Text;
using System.Text.Json.Nodes;
using Containers.Build.SupplyChain;
using Containers.Build.Tests.Integration;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.SupplyChain;

/// <summary>
/// The documents against their formats' own validators: the SPDX 2.3 JSON schema (checked in beside this file) with
/// Debian's python3-jsonschema, and CycloneDX 1.6 with the CycloneDX library's strict JSON validator
/// (tests/Tools/cyclonedx-validate, installed with npm once per test run). Both must also reject a broken document,
/// or a pass would mean nothing.
/// </summary>
public class SbomSchemaValidationTests
{
    private static readonly string CycloneDxValidator = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "Tools", "cyclonedx-validate");

    /// <summary>npm ci, once per test run: node_modules is not checked in, and package-lock.json pins the validator.</summary>
    private static readonly Lazy<Task<ProcessResult>> NpmInstall = new(() =>
        ProcessRunner.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], workingDirectory: CycloneDxValidator, timeout: TimeSpan.FromMinutes(5)));

    // The schema's $schema says which draft (2019-09); validator_for picks it, and the document must pass it whole.
    private const string SpdxCheck = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1], encoding="utf-8"))
        document = json.load(open(sys.argv[2], encoding="utf-8"))
        validator = jsonschema.validators.validator_for(schema)(schema)
        errors = list(validator.iter_errors(document))
        for error in errors:
            print(f"{error.message} (at {'/'.join(map(str, error.path))})")
        print(f"{validator.__class__.__name__}: {len(errors)} errors")
        sys.exit(1 if errors else 0)
        """;

    private static readonly string[] InputNames = ["framework-dependent", "self-contained", "scratch-no-deps"];

    private static SbomInput InputNamed(string name) => name switch
    {
        "framework-dependent" => SbomFixtures.FrameworkDependent(),
        "self-contained" => SbomFixtures.SelfContained(),
        _ => SbomFixtures.SelfContained() with { BaseImage = BaseImageIdentity.Scratch, DepsJsonPath = null, RuntimeConfigPath = null },
    };

    [IntegrationFact]
    public async Task Spdx_documents_are_valid_spdx_2_3()
    {
        foreach (var name in InputNames)
        {
            var result = await ValidateSpdxAsync(SpdxDocument.Write(InputNamed(name)));
            Assert.True(result.ExitCode == 0, $"{name}: {result}");
            Assert.Contains("Draft201909Validator: 0 errors", result.Output);
        }
    }

    [IntegrationFact]
    public async Task The_spdx_schema_check_rejects_a_broken_document()
    {
        var document = SbomFixtures.Parse(SpdxDocument.Write(SbomFixtures.FrameworkDependent()));
        document["packages"]![2]!["checksums"]![0]!["algorithm"] = "SHA-512";
        document["relationships"]![0]!["relationshipType"] = "IS_DESCRIBED_AS";

        var result = await ValidateSpdxAsync(Encoding.UTF8.GetBytes(document.ToJsonString()));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("'SHA-512' is not one of", result.Output);
        Assert.Contains("'IS_DESCRIBED_AS' is not one of", result.Output);
    }

    [IntegrationFact]
    public async Task CycloneDx_documents_are_valid_cyclonedx_1_6()
    {
        foreach (var name in InputNames)
        {
            var result = await ValidateCycloneDxAsync(CycloneDxDocument.Write(InputNamed(name)));
            Assert.True(result.ExitCode == 0, $"{name}: {result}");
            Assert.Contains("valid: ", result.Output);
        }
    }

    [IntegrationFact]
    public async Task The_cyclonedx_validator_rejects_a_broken_document()
    {
        // The validator stops at the first error: break one thing at a time.
        var breakages = new (string Path, Action<JsonObject> Break)[]
        {
            ("/serialNumber", d => d["serialNumber"] = "urn:uuid:not-a-uuid"),
            ("/components/1/hashes/0/alg", d => d["components"]![1]!["hashes"]![0]!["alg"] = "SHA512"),
            ("/components/0/type", d => d["components"]![0]!["type"] = "program"),
        };
        foreach (var (path, breakIt) in breakages)
        {
            var document = SbomFixtures.Parse(CycloneDxDocument.Write(SbomFixtures.FrameworkDependent()));
            breakIt(document);

            var result = await ValidateCycloneDxAsync(Encoding.UTF8.GetBytes(document.ToJsonString()));

            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Contains("invalid: ", result.Output);
            Assert.Contains($"\"instancePath\": \"{path}\"", result.Output);
        }
    }

    internal static async Task<ProcessResult> ValidateSpdxAsync(byte[] document)
    {
        using var directory = new TempDirectory("cb-spdx");
        var path = directory.Combine("sbom.spdx.json");
        await File.WriteAllBytesAsync(path, document);
        return await ProcessRunner.RunAsync("/usr/bin/python3", ["-c", SpdxCheck, SbomFixtures.SpdxSchema, path]);
    }

    internal static async Task<ProcessResult> ValidateCycloneDxAsync(byte[] document)
    {
        var install = await NpmInstall.Value;
        Assert.True(install.ExitCode == 0, install.ToString());
        using var directory = new TempDirectory("cb-cyclonedx");
        var path = directory.Combine("sbom.cdx.json");
        await File.WriteAllBytesAsync(path, document);
        return await ProcessRunner.RunAsync("node", [Path.Combine(CycloneDxValidator, "validate.mjs"), path], workingDirectory: CycloneDxValidator);
    }
}
