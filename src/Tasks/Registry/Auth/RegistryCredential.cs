namespace Containers.Build.Registry.Auth;

/// <summary>A user name and secret for a registry. <see cref="ToString"/> never shows the secret.</summary>
public sealed record RegistryCredential(string UserName, string Secret)
{
    public override string ToString() => $"{UserName}:***";
}
