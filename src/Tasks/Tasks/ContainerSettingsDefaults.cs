namespace Containers.Build.Tasks;

/// <summary>
/// What a setting the project left empty becomes, as the .NET SDK's ComputeContainerConfig decides it (the working
/// directory, the runtime identifier, the app command, the paths), and Visual Studio's publish-profile properties mapped
/// as the SDK maps them (RegistryUrl names the registry, PublishImageTag or AutoGenerateImageTag the tag). One function
/// of the project's properties: the check at the start of the build computes it from the values as evaluated, without
/// setting a property the build would then keep, and the publish from the values the build left (the targets set the
/// SDK's public properties from it).
/// </summary>
public static class ContainerSettingsDefaults
{
    /// <summary>The settings' values: the Container* ones the project may set, and the project's properties behind the defaults.</summary>
    public sealed record Result
    {
        public required string Registry { get; init; }
        public required string ImageTag { get; init; }
        public required string WorkingDirectory { get; init; }

        /// <summary>ContainerRuntimeIdentifier: empty for a multi-platform image (each platform's build has its own).</summary>
        public required string RuntimeIdentifier { get; init; }

        /// <summary>A framework-dependent multi-platform app: every platform's build compiles the same assembly.</summary>
        public required bool PortableIL { get; init; }
        public required string ImageFactsPath { get; init; }
        public required string ContentStoreDirectory { get; init; }

        /// <summary>The machine's cache folder, empty where the environment names none.</summary>
        public required string SharedCacheDirectory { get; init; }
        public required string OutputDirectory { get; init; }

        /// <summary>The app command the project gets when it gives none: empty when it gives one, or ContainerAppCommandInstruction is None.</summary>
        public required IReadOnlyList<string> DefaultAppCommand { get; init; }
    }

    /// <param name="values">The settings (Containers.Build.Settings.targets).</param>
    /// <param name="hasAppCommand">Whether the project gives ContainerAppCommand items.</param>
    /// <param name="utcNow">The time AutoGenerateImageTag makes a tag of.</param>
    public static Result Compute(SettingValues values, bool hasAppCommand, DateTime utcNow)
    {
        var isSelfContained = IsSelfContained(values);
        var workingDirectory = Default(values["WorkingDirectory"], "/app/");
        var appDirectory = workingDirectory.TrimEnd('/') + "/";
        var projectDirectory = values["ProjectDirectory"];
        return new Result
        {
            Registry = Registry(values),
            ImageTag = ImageTag(values, utcNow),
            WorkingDirectory = workingDirectory,
            RuntimeIdentifier = RuntimeIdentifier(values),
            PortableIL = IsMultiPlatform(values) && !isSelfContained,
            ImageFactsPath = Default(values["ImageFactsPath"], () => NormalizePath(projectDirectory, values["IntermediateOutputPath"], "container-image.json")),
            ContentStoreDirectory = Default(values["ContentStoreDirectory"], () => NormalizeDirectory(projectDirectory, values["BaseIntermediateOutputPath"], "containers")),
            SharedCacheDirectory = Default(values["SharedCacheDirectory"], () => SharedCache(values)),
            OutputDirectory = Default(values["OutputDirectory"], () => NormalizeDirectory(projectDirectory, values["OutputPath"])),
            DefaultAppCommand = hasAppCommand || string.Equals(values["AppCommandInstruction"], "None", StringComparison.OrdinalIgnoreCase)
                ? []
                : isSelfContained
                    ? [appDirectory + values["AssemblyName"] + values["NativeExecutableExtension"]]
                    : ["dotnet", appDirectory + values["TargetFileName"]],
        };
    }

    /// <summary>
    /// What ContainerBaseImage is inferred from when the project leaves it empty (<see cref="BaseImageInference"/>): the
    /// framework and SDK, the framework references, the platforms, and how the app is published.
    /// </summary>
    public static BaseImageInference.Inputs BaseImageInputs(SettingValues values, IReadOnlyList<string> frameworkReferences)
    {
        return new BaseImageInference.Inputs
        {
            SdkVersion = values["SdkVersion"],
            TargetFrameworkIdentifier = Default(values["TargetFrameworkIdentifier"], ".NETCoreApp"),
            TargetFrameworkVersion = values["TargetFrameworkVersion"],
            FrameworkReferences = frameworkReferences,
            // A list either way, as MSBuild splits a property given for several: a ContainerRuntimeIdentifier that lists a musl
            // and a glibc platform is the error it is for several platforms.
            RuntimeIdentifiers = (IsMultiPlatform(values) ? values["RuntimeIdentifiers"] : RuntimeIdentifier(values))
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            IsSelfContained = IsSelfContained(values),
            IsAotPublished = values.IsTrue("PublishAot"),
            IsTrimmed = values.IsTrue("PublishTrimmed"),
            UsesInvariantGlobalization = values.IsTrue("InvariantGlobalization"),
            ContainerFamily = values["ContainerFamily"],
        };
    }

    /// <summary>The targets list the platforms (RuntimeIdentifiers) only for a multi-platform image.</summary>
    private static bool IsMultiPlatform(SettingValues values) => values["RuntimeIdentifiers"].Length > 0;

    private static bool IsSelfContained(SettingValues values) => values.IsTrue("SelfContained") || values.IsTrue("PublishSelfContained");

    /// <summary>ContainerRuntimeIdentifier, else the project's RuntimeIdentifier, else linux- and the SDK's own processor; empty for several platforms.</summary>
    private static string RuntimeIdentifier(SettingValues values)
    {
        if (IsMultiPlatform(values) || values["RuntimeIdentifier"].Length > 0)
        {
            return values["RuntimeIdentifier"];
        }
        if (values["ProjectRuntimeIdentifier"].Length > 0)
        {
            return values["ProjectRuntimeIdentifier"];
        }
        var sdk = values["SdkRuntimeIdentifier"].Split('-');
        return sdk.Length > 1 ? "linux-" + sdk[1] : "";
    }

    /// <summary>RegistryUrl, when a publish profile sets it, names the registry: as https://host/ too, the scheme and slash are not part of the name.</summary>
    private static string Registry(SettingValues values)
    {
        var url = values["RegistryUrl"].Trim();
        if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            url = url[8..];
        }
        return url.Length > 0 ? url.TrimEnd('/') : values["Registry"];
    }

    /// <summary>PublishImageTag names the tag; AutoGenerateImageTag=true makes one of the time, UTC and 24-hour (the SDK's hh repeats twelve hours later).</summary>
    private static string ImageTag(SettingValues values, DateTime utcNow)
    {
        if (values.IsTrue("AutoGenerateImageTag") && values["ImageTags"].Length == 0)
        {
            return utcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        }
        return values["PublishImageTag"].Length > 0 ? values["PublishImageTag"] : values["ImageTag"];
    }

    /// <summary>The platform's cache folder: XDG_CACHE_HOME, %LOCALAPPDATA% on Windows, ~/.cache elsewhere.</summary>
    private static string SharedCache(SettingValues values)
    {
        var isWindows = string.Equals(values["OS"], "Windows_NT", StringComparison.OrdinalIgnoreCase);
        if (values["XdgCacheHome"].Length > 0)
        {
            return Path.Combine(values["XdgCacheHome"], "containers-build");
        }
        if (isWindows && values["LocalAppData"].Length > 0)
        {
            return Path.Combine(values["LocalAppData"], "containers-build");
        }
        return !isWindows && values["Home"].Length > 0 ? Path.Combine(values["Home"], ".cache", "containers-build") : "";
    }

    private static string Default(string value, string fallback) => value.Length > 0 ? value : fallback;

    private static string Default(string value, Func<string> fallback) => value.Length > 0 ? value : fallback();

    /// <summary>As MSBuild's NormalizePath: the parts combined, made absolute, with this system's separators (empty without a project folder).</summary>
    private static string NormalizePath(params string[] parts)
        => parts[0].Length == 0 ? "" : Path.GetFullPath(Path.Combine(parts.Select(FixSeparators).ToArray()));

    /// <summary>As MSBuild's NormalizeDirectory: <see cref="NormalizePath"/> ending in a separator.</summary>
    private static string NormalizeDirectory(params string[] parts)
    {
        var path = NormalizePath(parts);
        return path.Length == 0 || Path.EndsInDirectorySeparator(path) ? path : path + Path.DirectorySeparatorChar;
    }

    private static string FixSeparators(string part) => Path.DirectorySeparatorChar == '/' ? part.Replace('\\', '/') : part;
}
