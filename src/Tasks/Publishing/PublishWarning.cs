namespace Containers.Build.Publishing;

/// <summary>Something the user should hear about that does not stop the publish; the task decides its code and words.</summary>
public abstract record PublishWarning;

/// <summary>Published files that look like secrets (keys, certificates, connection strings) and would be readable by anyone who pulls the image.</summary>
public sealed record SecretLookingFilesWarning(IReadOnlyList<string> Files) : PublishWarning;
