using System.Runtime.InteropServices;

namespace Containers.Build;

/// <summary>
/// A fixed-size buffer outside the garbage-collected heap, freed when disposed. For the large buffers a publish churns
/// through (the parallel compressor's blocks): an array of 85,000 bytes or more goes to the large object heap, whose
/// small allocation budget, once spent, makes the runtime collect every generation at once. Inside MSBuild's process
/// that is a blocking collection of the whole build's heap, 75–160 ms each, several per publish; native memory spends
/// none of that budget. It has no finalizer (one could free the memory under a span still in use): its owner must
/// dispose it.
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    private byte* _pointer;

    public NativeBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        _pointer = (byte*)NativeMemory.Alloc((nuint)length);
        Length = length;
    }

    public int Length { get; }

    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return new Span<byte>(_pointer, Length);
        }
    }

    /// <summary>A stream that writes into the buffer from its start and fails rather than write past its end.</summary>
    public UnmanagedMemoryStream OpenWrite()
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        return new UnmanagedMemoryStream(_pointer, 0, Length, FileAccess.Write);
    }

    /// <summary>A stream that reads the whole buffer from its start.</summary>
    public UnmanagedMemoryStream OpenRead()
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        return new UnmanagedMemoryStream(_pointer, Length, Length, FileAccess.Read);
    }

    public void Dispose()
    {
        if (_pointer != null)
        {
            NativeMemory.Free(_pointer);
            _pointer = null;
        }
    }
}
