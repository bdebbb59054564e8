namespace Containers.Build;

/// <summary>
/// The size of the buffers a publish reads and writes files through: 64 KiB, under the 85,000 bytes from which an array
/// goes to the large object heap. In MSBuild's process that heap's budget is nearly spent by the build, and each time a
/// publish spent the rest the runtime stopped for a blocking collection of the whole heap (<see cref="NativeBuffer"/>
/// holds what must be larger).
/// </summary>
public static class FileBuffer
{
    public const int Size = 1 << 16;
}
