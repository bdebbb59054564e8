namespace Containers.Build.Model;

/// <summary>An OCI platform: os, architecture and optional variant.</summary>
public sealed record Platform(string Os, string Architecture, string? Variant = null)
{
    public static Platform LinuxAmd64 { get; } = new("linux", "amd64");

    /// <summary>The Linux platform of this machine's processor, which a local container engine runs natively.</summary>
    public static Platform Host { get; } = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => new("linux", "arm64", "v8"),
        System.Runtime.InteropServices.Architecture.Arm => new("linux", "arm", "v7"),
        System.Runtime.InteropServices.Architecture.X86 => new("linux", "386"),
        System.Runtime.InteropServices.Architecture.S390x => new("linux", "s390x"),
        System.Runtime.InteropServices.Architecture.Ppc64le => new("linux", "ppc64le"),
        System.Runtime.InteropServices.Architecture.RiscV64 => new("linux", "riscv64"),
        System.Runtime.InteropServices.Architecture.LoongArch64 => new("linux", "loong64"),
        _ => LinuxAmd64,
    };

    /// <summary>Maps a .NET runtime identifier (linux-x64, linux-musl-arm64, ...) to the platform it runs on.</summary>
    public static bool TryFromRuntimeIdentifier(string rid, out Platform platform)
    {
        platform = null!;
        var parts = rid.Split('-');
        if (parts.Length < 2)
        {
            return false;
        }
        var os = parts[0] switch
        {
            "linux" => "linux",
            "win" => "windows",
            _ => null,
        };
        (string Architecture, string? Variant)? arch = parts[^1] switch
        {
            "x64" => ("amd64", null),
            "arm64" => ("arm64", "v8"),
            "arm" => ("arm", "v7"),
            "x86" => ("386", null),
            "s390x" => ("s390x", null),
            "ppc64le" => ("ppc64le", null),
            "riscv64" => ("riscv64", null),
            "loongarch64" => ("loong64", null),
            _ => null,
        };
        if (os is null || arch is null)
        {
            return false;
        }
        platform = new Platform(os, arch.Value.Architecture, arch.Value.Variant);
        return true;
    }

    /// <summary>
    /// Whether an index entry for <paramref name="candidate"/> serves this platform. A missing variant on
    /// either side matches, since registries often omit arm64's implied v8.
    /// </summary>
    public bool IsSatisfiedBy(Platform candidate)
        => string.Equals(Os, candidate.Os, StringComparison.Ordinal)
           && string.Equals(Architecture, candidate.Architecture, StringComparison.Ordinal)
           && (Variant is null || candidate.Variant is null || string.Equals(Variant, candidate.Variant, StringComparison.Ordinal));

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
