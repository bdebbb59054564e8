namespace Containers.Build.Publishing;

/// <summary>The build had already failed (an error was logged, or a warning treated as one) when the image was ready: nothing was sent.</summary>
public sealed class PublishStoppedException()
    : Exception("The build has failed (an error, or a warning treated as an error, was logged), so the image was not sent anywhere: no tag moved and no file was written.");
