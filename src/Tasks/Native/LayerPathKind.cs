namespace Containers.Build.Native;

/// <summary>What a path in a layer is, as far as finding a file in the image goes.</summary>
public enum LayerPathKind
{
    File,

    Directory,

    /// <summary>A symbolic link; its target (<see cref="LayerPath.LinkTarget"/>) is resolved only when a lookup passes through it.</summary>
    Symlink,

    /// <summary>A hard link: another name for a file of this layer or a lower one (<see cref="LayerPath.LinkTarget"/>, a layer path).</summary>
    HardLink,

    /// <summary>A device, a FIFO or another special file: present, but never a library.</summary>
    Other,
}
