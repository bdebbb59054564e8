// The suite drives Linux tools (registry, podman, skopeo) and Unix file modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
