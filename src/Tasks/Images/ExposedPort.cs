namespace Containers.Build.Images;

/// <summary>A port the image declares, as in the config's ExposedPorts key <c>8080/tcp</c>.</summary>
public sealed record ExposedPort(int Number, string Protocol = "tcp")
{
    public override string ToString() => $"{Number}/{Protocol}";
}
