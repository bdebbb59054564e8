using Containers.Build.References;
using NuGet.Versioning;

namespace Containers.Build.Tasks;

/// <summary>
/// Chooses Microsoft's .NET image for a project that names no ContainerBaseImage, with the .NET SDK's rules:
/// runtime-deps for self-contained and AOT apps, aspnet for apps that reference ASP.NET Core, runtime otherwise;
/// the tag from the target framework and the SDK's version (previews of the first SDK band get preview tags);
/// alpine for musl RIDs, a chiseled Ubuntu for trimmed and AOT apps, and -extra (ICU and time zones) when they
/// need globalization; ContainerFamily replaces the OS choice.
/// </summary>
public static class BaseImageInference
{
    public const string Registry = "mcr.microsoft.com";

    /// <summary>From .NET 8 on, tags carry the preview/rc channel and the -extra and chiseled variants exist.</summary>
    private const int FirstVersionWithChannelTags = 8;

    public sealed record Inputs
    {
        /// <summary>NETCoreSdkVersion, e.g. 10.0.100 or 10.0.100-rc.1.25451.107.</summary>
        public required string SdkVersion { get; init; }

        /// <summary>TargetFrameworkIdentifier; only .NETCoreApp has container images.</summary>
        public string TargetFrameworkIdentifier { get; init; } = ".NETCoreApp";

        /// <summary>The target framework's version, with or without the leading v: v10.0, 10.0.</summary>
        public required string TargetFrameworkVersion { get; init; }

        public IReadOnlyList<string> FrameworkReferences { get; init; } = [];
        public IReadOnlyList<string> RuntimeIdentifiers { get; init; } = [];
        public bool IsSelfContained { get; init; }
        public bool IsAotPublished { get; init; }
        public bool IsTrimmed { get; init; }
        public bool UsesInvariantGlobalization { get; init; }
        public string? ContainerFamily { get; init; }
    }

    /// <summary>The inferred image, e.g. mcr.microsoft.com/dotnet/aspnet:10.0; a <see cref="ContainersBuildException"/> says why none can be.</summary>
    public static string Infer(Inputs inputs)
    {
        if (!string.Equals(inputs.TargetFrameworkIdentifier, ".NETCoreApp", StringComparison.OrdinalIgnoreCase))
        {
            throw new ContainersBuildException(DiagnosticCodes.BaseImageNotInferable,
                $"ContainerBaseImage is not set and none can be inferred for target framework '{inputs.TargetFrameworkIdentifier},Version={inputs.TargetFrameworkVersion}': .NET images exist for .NET (net8.0, net10.0, ...) apps only. Set ContainerBaseImage.");
        }
        var isMusl = IsMusl(inputs.RuntimeIdentifiers);
        var framework = ParseFrameworkVersion(inputs.TargetFrameworkVersion);
        var family = string.IsNullOrWhiteSpace(inputs.ContainerFamily) ? null : inputs.ContainerFamily.Trim();

        string tag;
        bool hasVariants;
        SemanticVersion sdk;
        if (framework.Major < FirstVersionWithChannelTags)
        {
            // Before .NET 8 there were neither channel tags nor -extra images.
            tag = $"{framework.Major}.{framework.Minor}";
            hasVariants = false;
            sdk = framework;
        }
        else
        {
            sdk = ParseSdkVersion(inputs.SdkVersion);
            tag = VersionTag(sdk, framework);
            hasVariants = true;
        }

        if (family is not null)
        {
            tag += "-" + family;
            // A chiseled image has no ICU or time zones: a globalized app needs the -extra variant to run. It came
            // with the stable .NET 8 tags; previews have none.
            if (!isMusl && family.EndsWith("-chiseled", StringComparison.Ordinal) && !inputs.UsesInvariantGlobalization
                && hasVariants && !sdk.IsPrerelease && sdk.Major >= FirstVersionWithChannelTags)
            {
                tag += "-extra";
            }
        }
        else if (isMusl)
        {
            tag += "-alpine";
            if (hasVariants && NeedsExtra(inputs))
            {
                tag += "-extra";
            }
        }
        else if (hasVariants && (inputs.IsAotPublished || inputs.IsTrimmed))
        {
            // Trimmed and native apps need no more than a chiseled Ubuntu: noble from SDK 8.0.300 on, jammy before.
            tag += sdk >= new SemanticVersion(8, 0, 300) ? "-noble-chiseled" : "-jammy-chiseled";
            if (NeedsExtra(inputs))
            {
                tag += "-extra";
            }
        }

        if (!ImageTag.IsValid(tag))
        {
            throw new ContainersBuildException(DiagnosticCodes.ContainerFamilyInvalid,
                $"ContainerFamily '{inputs.ContainerFamily}' makes the inferred tag '{tag}', which is not a valid tag. A family is letters, digits, '.', '_' and '-', such as noble-chiseled or alpine.");
        }
        return $"{Registry}/{Repository(inputs)}:{tag}";
    }

    private static string Repository(Inputs inputs)
    {
        if (inputs.IsSelfContained || inputs.IsAotPublished)
        {
            return "dotnet/runtime-deps";
        }
        return inputs.FrameworkReferences.Any(r => string.Equals(r, "Microsoft.AspNetCore.App", StringComparison.OrdinalIgnoreCase))
            ? "dotnet/aspnet"
            : "dotnet/runtime";
    }

    private static bool NeedsExtra(Inputs inputs) => (inputs.IsAotPublished || inputs.IsTrimmed) && !inputs.UsesInvariantGlobalization;

    /// <summary>One base image serves every RID: they must all be musl (alpine) or none.</summary>
    private static bool IsMusl(IReadOnlyList<string> runtimeIdentifiers)
    {
        var rids = runtimeIdentifiers.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => r.Trim()).ToArray();
        var musl = rids.Where(r => r.StartsWith("linux-musl", StringComparison.Ordinal)).ToArray();
        if (musl.Length > 0 && musl.Length < rids.Length)
        {
            throw new ContainersBuildException(DiagnosticCodes.MuslMixedWithGlibc,
                $"ContainerBaseImage is not set and the runtime identifiers '{string.Join(";", rids)}' mix musl ({string.Join(", ", musl)}) and glibc ones: one inferred base image cannot serve both. Use only linux-musl-* or only linux-* RIDs, or set ContainerBaseImage.");
        }
        return musl.Length > 0;
    }

    /// <summary>
    /// The version part of the tag. A framework older than the SDK is stable (net8.0 on SDK 10 gives 8.0). For the
    /// SDK's own framework, a stable SDK gives major.minor; a preview or rc of the first band (x.y.100) gives the
    /// matching image preview, e.g. 10.0.0-rc.1; later bands' previews use the stable tags.
    /// </summary>
    private static string VersionTag(SemanticVersion sdk, SemanticVersion framework)
    {
        if (framework.Major < sdk.Major || framework.Minor < sdk.Minor)
        {
            return $"{framework.Major}.{framework.Minor}";
        }
        if (!sdk.IsPrerelease || sdk.Patch != 100)
        {
            return $"{sdk.Major}.{sdk.Minor}";
        }
        var labels = sdk.ReleaseLabels.ToArray();
        return labels[0] switch
        {
            "rtm" or "servicing" => $"{sdk.Major}.{sdk.Minor}",
            "preview" or "rc" when labels.Length > 1 => $"{sdk.Major}.{sdk.Minor}.0-{labels[0]}.{labels[1]}",
            "alpha" or "dev" or "ci" => $"{sdk.Major}.{sdk.Minor}-preview",
            _ => throw new ContainersBuildException(DiagnosticCodes.BaseImageNotInferable,
                $"ContainerBaseImage is not set and the SDK version '{sdk}' has a prerelease label ('{string.Join(".", labels)}') that maps to no .NET image tag (expected preview.N, rc.N, rtm, servicing, alpha, dev or ci). Set ContainerBaseImage."),
        };
    }

    private static SemanticVersion ParseSdkVersion(string value)
    {
        if (!SemanticVersion.TryParse(value?.Trim() ?? "", out var version))
        {
            throw new ContainersBuildException(DiagnosticCodes.BaseImageNotInferable,
                $"ContainerBaseImage is not set and the SDK version '{value}' (NETCoreSdkVersion) is not a semantic version, so no image tag can be inferred from it. Set ContainerBaseImage.");
        }
        return version;
    }

    private static SemanticVersion ParseFrameworkVersion(string value)
    {
        var text = (value ?? "").Trim().TrimStart('v', 'V');
        // "10.0" is what MSBuild has; NuGet's parser wants three parts.
        if (text.Count(c => c == '.') == 1)
        {
            text += ".0";
        }
        if (!SemanticVersion.TryParse(text, out var version))
        {
            throw new ContainersBuildException(DiagnosticCodes.BaseImageNotInferable,
                $"ContainerBaseImage is not set and the target framework version '{value}' is not a version, so no image tag can be inferred from it. Set ContainerBaseImage.");
        }
        return version;
    }
}
