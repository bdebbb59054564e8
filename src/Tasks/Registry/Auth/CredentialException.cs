namespace Containers.Build.Registry.Auth;

/// <summary>Credentials were configured for a registry but could not be read (a missing or failing helper, a broken config file).</summary>
public sealed class CredentialException(string message, Exception? inner = null) : Exception(message, inner);
