using Containers.Build.Images;
using Containers.Build.Tasks;

namespace Containers.Build.Tests.Images;

/// <summary>
/// Base-image inference, checked against the cases the .NET SDK publishes for its own inference
/// (its TargetsTests), plus the .NET 10 ones.
/// </summary>
public class BaseImageInferenceTests
{
    private static string Infer(string sdk, string tfm, string? rid = "linux-x64", bool web = false, bool selfContained = false,
        bool aot = false, bool trimmed = false, bool invariant = false, string? family = null)
        => BaseImageInference.Infer(new BaseImageInference.Inputs
        {
            SdkVersion = sdk,
            TargetFrameworkVersion = tfm,
            FrameworkReferences = web ? ["Microsoft.NETCore.App", "Microsoft.AspNetCore.App"] : ["Microsoft.NETCore.App"],
            RuntimeIdentifiers = rid is null ? [] : rid.Split(';'),
            IsSelfContained = selfContained,
            IsAotPublished = aot,
            IsTrimmed = trimmed,
            UsesInvariantGlobalization = invariant,
            ContainerFamily = family,
        });

    // The SDK's CanComputeTagsForSupportedSDKVersions, and .NET 10.
    [Theory]
    [InlineData("7.0.100", "v7.0", "7.0")]
    [InlineData("7.0.100-preview.7", "v7.0", "7.0")]
    [InlineData("7.0.100-rc.1", "v7.0", "7.0")]
    [InlineData("8.0.100", "v8.0", "8.0")]
    [InlineData("8.0.100", "v7.0", "7.0")]
    [InlineData("8.0.100-preview.7", "v8.0", "8.0.0-preview.7")]
    [InlineData("8.0.100-rc.1", "v8.0", "8.0.0-rc.1")]
    [InlineData("8.0.100-rc.1", "v7.0", "7.0")]
    [InlineData("8.0.200", "v8.0", "8.0")]
    [InlineData("8.0.200", "v7.0", "7.0")]
    [InlineData("8.0.200-preview3", "v7.0", "7.0")]
    [InlineData("8.0.200-preview3", "v8.0", "8.0")]
    [InlineData("6.0.100", "v6.0", "6.0")]
    [InlineData("6.0.100-preview.1", "v6.0", "6.0")]
    [InlineData("8.0.100-dev", "v8.0", "8.0-preview")]
    [InlineData("8.0.100-ci", "v8.0", "8.0-preview")]
    [InlineData("8.0.100-rtm.23502.3", "v8.0", "8.0")]
    [InlineData("8.0.100-servicing.23502.3", "v8.0", "8.0")]
    [InlineData("8.0.100-alpha.12345", "v8.0", "8.0-preview")]
    [InlineData("9.0.100-alpha.12345", "v9.0", "9.0-preview")]
    [InlineData("10.0.401", "v10.0", "10.0")]
    [InlineData("10.0.100-rc.1.25451.107", "v10.0", "10.0.0-rc.1")]
    [InlineData("10.0.100-preview.7.25380.108", "v10.0", "10.0.0-preview.7")]
    [InlineData("10.0.100-rc.2.25502.107", "v9.0", "9.0")]
    [InlineData("10.0.200-preview.1", "10.0", "10.0")]
    public void The_tag_comes_from_the_framework_and_the_sdk(string sdk, string tfm, string tag)
        => Assert.Equal($"mcr.microsoft.com/dotnet/runtime:{tag}", Infer(sdk, tfm));

    // The SDK's CanTakeContainerBaseFamilyIntoAccount and FDD...OptingIntoChiseledGetsExtras.
    [Theory]
    [InlineData("8.0.100", "v7.0", "", "7.0")]
    [InlineData("8.0.100-preview.2", "v8.0", "", "8.0.0-preview.2")]
    [InlineData("8.0.100-preview.2", "v8.0", "jammy", "8.0.0-preview.2-jammy")]
    [InlineData("8.0.100-preview.2", "v8.0", "jammy-chiseled", "8.0.0-preview.2-jammy-chiseled")]
    [InlineData("8.0.100-rc.2", "v8.0", "jammy-chiseled", "8.0.0-rc.2-jammy-chiseled")]
    [InlineData("8.0.100", "v8.0", "jammy-chiseled", "8.0-jammy-chiseled-extra")]
    [InlineData("8.0.200", "v8.0", "jammy-chiseled", "8.0-jammy-chiseled-extra")]
    [InlineData("8.0.300", "v8.0", "noble-chiseled", "8.0-noble-chiseled-extra")]
    [InlineData("8.0.300", "v8.0", "jammy-chiseled", "8.0-jammy-chiseled-extra")]
    [InlineData("9.0.100", "v9.0", "noble-chiseled", "9.0-noble-chiseled-extra")]
    [InlineData("10.0.100", "v10.0", "noble-chiseled", "10.0-noble-chiseled-extra")]
    [InlineData("10.0.100", "v10.0", "azurelinux3.0-distroless", "10.0-azurelinux3.0-distroless")]
    public void Container_family_is_appended_and_chiseled_families_get_extra_for_globalized_apps(string sdk, string tfm, string family, string tag)
        => Assert.Equal($"mcr.microsoft.com/dotnet/runtime:{tag}", Infer(sdk, tfm, family: family));

    [Fact]
    public void A_chiseled_family_with_invariant_globalization_needs_no_extra()
        => Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", Infer("10.0.100", "v10.0", web: true, invariant: true, family: "noble-chiseled"));

    [Fact]
    public void A_globalized_web_app_on_a_chiseled_family_gets_the_aspnet_extra_image()
        => Assert.Equal("mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled-extra", Infer("8.0.100", "v8.0", web: true, family: "jammy-chiseled"));

    // The SDK's MuslRidsGetAlpineContainers and AllMuslRidsGetAlpineContainers.
    [Theory]
    [InlineData("v6.0", "linux-musl-x64", "mcr.microsoft.com/dotnet/runtime:6.0-alpine")]
    [InlineData("v6.0", "linux-x64", "mcr.microsoft.com/dotnet/runtime:6.0")]
    [InlineData("v7.0", "linux-musl-x64", "mcr.microsoft.com/dotnet/runtime:7.0-alpine")]
    [InlineData("v7.0", "linux-x64", "mcr.microsoft.com/dotnet/runtime:7.0")]
    [InlineData("v8.0", "linux-musl-x64", "mcr.microsoft.com/dotnet/runtime:8.0-alpine")]
    [InlineData("v8.0", "linux-x64", "mcr.microsoft.com/dotnet/runtime:8.0")]
    [InlineData("v8.0", "linux-musl-x64;linux-musl-arm64", "mcr.microsoft.com/dotnet/runtime:8.0-alpine")]
    [InlineData("v8.0", "linux-x64;linux-arm64", "mcr.microsoft.com/dotnet/runtime:8.0")]
    public void Musl_rids_get_alpine_images(string tfm, string rids, string image)
        => Assert.Equal(image, Infer("8.0.100", tfm, rids));

    [Fact]
    public void Musl_mixed_with_glibc_rids_is_an_error_naming_both()
    {
        var error = Assert.Throws<ContainersBuildException>(() => Infer("8.0.100", "v8.0", "linux-musl-x64;linux-arm64"));
        Assert.Equal(DiagnosticCodes.MuslMixedWithGlibc, error.Code);
        Assert.Contains("linux-musl-x64;linux-arm64", error.Message, StringComparison.Ordinal);
        Assert.Contains("ContainerBaseImage", error.Message, StringComparison.Ordinal);
    }

    // The SDK's AOTAppsGetExpectedImages, AOTAppsWithCulturesGetExtraImages, TheBigMatrixOfTrimmingInference, AOTAppsLessThan8...
    [Theory]
    [InlineData("8.0.100", "v8.0", "linux-musl-x64", false, true, true, "runtime-deps:8.0-alpine")]
    [InlineData("8.0.100", "v8.0", "linux-x64", false, true, true, "runtime-deps:8.0-jammy-chiseled")]
    [InlineData("8.0.300", "v8.0", "linux-musl-x64", false, true, false, "runtime-deps:8.0-alpine-extra")]
    [InlineData("8.0.300", "v8.0", "linux-x64", false, true, false, "runtime-deps:8.0-noble-chiseled-extra")]
    [InlineData("8.0.300", "v8.0", "linux-musl-x64", true, false, true, "runtime-deps:8.0-alpine")]
    [InlineData("8.0.300", "v8.0", "linux-musl-x64", true, false, false, "runtime-deps:8.0-alpine-extra")]
    [InlineData("8.0.300", "v8.0", "linux-x64", true, false, true, "runtime-deps:8.0-noble-chiseled")]
    [InlineData("8.0.300", "v8.0", "linux-x64", true, false, false, "runtime-deps:8.0-noble-chiseled-extra")]
    [InlineData("8.0.300", "v8.0", "linux-x64", false, true, true, "runtime-deps:8.0-noble-chiseled")]
    [InlineData("8.0.100", "v7.0", "linux-musl-x64", false, true, true, "runtime-deps:7.0-alpine")]
    [InlineData("8.0.100", "v7.0", "linux-x64", false, true, true, "runtime-deps:7.0")]
    [InlineData("8.0.100", "v7.0", "linux-x64", false, true, false, "runtime-deps:7.0")]
    [InlineData("10.0.100", "v10.0", "linux-arm64", false, true, false, "runtime-deps:10.0-noble-chiseled-extra")]
    public void Trimmed_and_aot_apps_get_runtime_deps_chiseled_or_alpine_and_extra_when_globalized(
        string sdk, string tfm, string rid, bool trimmed, bool aot, bool invariant, string image)
        => Assert.Equal($"mcr.microsoft.com/dotnet/{image}", Infer(sdk, tfm, rid, selfContained: true, aot: aot, trimmed: trimmed, invariant: invariant));

    [Theory]
    [InlineData(false, false, "aspnet:10.0")]
    [InlineData(true, false, "runtime-deps:10.0")]
    [InlineData(false, true, "runtime-deps:10.0-noble-chiseled-extra")]
    public void Web_apps_get_aspnet_unless_they_bring_their_runtime(bool selfContained, bool aot, string image)
        => Assert.Equal($"mcr.microsoft.com/dotnet/{image}", Infer("10.0.401", "v10.0", web: true, selfContained: selfContained, aot: aot));

    [Theory]
    [InlineData("10.0.100-preview", "v10.0")]   // a preview without its number
    [InlineData("10.0.100-beta.1", "v10.0")]    // a channel with no image tags
    [InlineData("ten", "v10.0")]
    [InlineData("10.0.100", "vNext")]
    public void Versions_that_map_to_no_tag_are_errors(string sdk, string tfm)
    {
        var error = Assert.Throws<ContainersBuildException>(() => Infer(sdk, tfm));
        Assert.Equal(DiagnosticCodes.BaseImageNotInferable, error.Code);
        Assert.Contains("Set ContainerBaseImage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_dotnet_framework_cannot_be_inferred()
    {
        var error = Assert.Throws<ContainersBuildException>(() => BaseImageInference.Infer(new BaseImageInference.Inputs
        {
            SdkVersion = "10.0.100", TargetFrameworkIdentifier = ".NETStandard", TargetFrameworkVersion = "v2.0",
        }));
        Assert.Equal(DiagnosticCodes.BaseImageNotInferable, error.Code);
        Assert.Contains(".NETStandard", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_family_that_makes_an_invalid_tag_is_an_error_naming_it()
    {
        var error = Assert.Throws<ContainersBuildException>(() => Infer("10.0.100", "v10.0", family: "noble chiseled"));
        Assert.Equal(DiagnosticCodes.ContainerFamilyInvalid, error.Code);
        Assert.Contains("ContainerFamily 'noble chiseled'", error.Message, StringComparison.Ordinal);
    }
}
