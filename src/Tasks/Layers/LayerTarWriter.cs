namespace Containers.Build.Layers;

/// <summary>
/// A layer's tar, header by header, through a 64 KiB buffer that reaches the output in large writes. The bytes are
/// the ones SharpZipLib's TarOutputStream wrote for <see cref="LayerWriter"/> until it replaced it, so every layer
/// already cached or pushed stays what its input key says: ustar headers whose magic is "ustar\0" and version " \0",
/// octal fields ended by a NUL, the checksum as six digits, a NUL and a space, a size of 8 GiB or more in base-256,
/// and the archive ended by four zero blocks and padded to a record of 20 blocks. That writer cloned each header and
/// wrote each 512-byte block through an asynchronous path: for 50,000 small files it cost more than the compression.
/// Where that writer kept only the low digits of a uid or gid over 2,097,151 (an owner silently wrong), this one writes it
/// in base-256, and <see cref="LayerWriter"/> in a PAX record too.
/// </summary>
internal sealed class LayerTarWriter(Stream output)
{
    private const int BlockSize = 512;
    private const int RecordSize = 20 * BlockSize;

    private readonly byte[] _buffer = new byte[FileBuffer.Size];
    private int _buffered;
    private long _archiveLength;
    private string? _entryName;
    private long _entryRemaining;
    private long _entryLength;

    /// <summary>
    /// Starts an entry. <paramref name="name"/> and <paramref name="linkName"/> are printable ASCII of at most 100
    /// characters (anything else goes into a PAX record first, and its header gets a stand-in: <see cref="PaxRecords"/>).
    /// </summary>
    public void PutEntry(string name, byte typeFlag, int mode, int userId, int groupId, long size, long modificationTime, string linkName = "")
    {
        if (_entryName is not null)
        {
            throw new InvalidOperationException($"The tar entry '{_entryName}' was not closed.");
        }
        FormatHeader(Reserve(BlockSize), name, typeFlag, mode, userId, groupId, size, modificationTime, linkName);
        _entryName = name;
        _entryLength = size;
        _entryRemaining = size;
    }

    /// <summary>One ustar header block, as <see cref="PutEntry"/> writes it.</summary>
    internal static void FormatHeader(Span<byte> header, string name, byte typeFlag, int mode, int userId, int groupId, long size, long modificationTime, string linkName)
    {
        header.Clear();
        PutText(header[..100], name);
        PutOctal(header[100..108], mode);
        PutNumber(header[108..116], userId);
        PutNumber(header[116..124], groupId);
        PutNumber(header[124..136], size);
        PutOctal(header[136..148], modificationTime);
        header[148..156].Fill((byte)' ');
        header[156] = typeFlag;
        PutText(header[157..257], linkName);
        "ustar\0 \0"u8.CopyTo(header[257..265]);
        var checksum = 0;
        foreach (var b in header)
        {
            checksum += b;
        }
        PutOctal(header[148..155], checksum);
    }

    /// <summary>Content of the open entry, no more than its header's size.</summary>
    public void Write(ReadOnlySpan<byte> content)
    {
        if (content.Length > _entryRemaining)
        {
            throw new IOException($"'{_entryName}' grew while it was read into the layer: it has more than the {_entryLength} bytes it had when it was opened.");
        }
        _entryRemaining -= content.Length;
        if (content.Length >= _buffer.Length)
        {
            Flush();
            output.Write(content);
            _archiveLength += content.Length;
            return;
        }
        while (content.Length > 0)
        {
            var room = ReserveUpTo(content.Length);
            content[..room.Length].CopyTo(room);
            content = content[room.Length..];
        }
    }

    /// <summary>Ends the open entry: its content, all of it, padded to a whole block.</summary>
    public void CloseEntry()
    {
        if (_entryRemaining > 0)
        {
            throw new IOException($"'{_entryName}' shrank while it was read into the layer: {_entryLength - _entryRemaining} of the {_entryLength} bytes it had when it was opened.");
        }
        var padding = (int)((BlockSize - _entryLength % BlockSize) % BlockSize);
        Reserve(padding).Clear();
        _entryName = null;
        _entryLength = 0;
    }

    /// <summary>Four zero blocks and the padding to a whole record, then everything to the output.</summary>
    public void Finish()
    {
        if (_entryName is not null)
        {
            throw new InvalidOperationException($"The tar entry '{_entryName}' was not closed.");
        }
        Reserve(4 * BlockSize).Clear();
        var tail = (int)((RecordSize - _archiveLength % RecordSize) % RecordSize);
        while (tail > 0)
        {
            var zeros = ReserveUpTo(tail);
            zeros.Clear();
            tail -= zeros.Length;
        }
        Flush();
    }

    /// <summary><paramref name="length"/> bytes (at most a block's few) of the buffer for the caller to fill, counted as written.</summary>
    private Span<byte> Reserve(int length)
    {
        if (_buffered + length > _buffer.Length)
        {
            Flush();
        }
        var span = _buffer.AsSpan(_buffered, length);
        _buffered += length;
        _archiveLength += length;
        return span;
    }

    /// <summary>As much of <paramref name="wanted"/> as the buffer has room for (at least one byte), counted as written.</summary>
    private Span<byte> ReserveUpTo(int wanted)
    {
        if (_buffered == _buffer.Length)
        {
            Flush();
        }
        return Reserve(Math.Min(wanted, _buffer.Length - _buffered));
    }

    /// <summary>What is buffered, to the output: everything written so far has then reached it.</summary>
    public void Flush()
    {
        output.Write(_buffer, 0, _buffered);
        _buffered = 0;
    }

    /// <summary>A name or link target (both fields are <see cref="PaxRecords.UstarNameLength"/> bytes), NUL-padded.</summary>
    private static void PutText(Span<byte> field, string text)
    {
        if (!PaxRecords.FitsUstar(text))
        {
            throw new ArgumentException($"'{text}' is not printable ASCII of at most {field.Length} characters: it belongs in a PAX record.", nameof(text));
        }
        for (var i = 0; i < text.Length; i++)
        {
            field[i] = (byte)text[i];
        }
    }

    /// <summary>
    /// Octal when the value fits the field's digits, else base-256 (a high bit, then the value big-endian in the other
    /// bytes), as GNU tar writes an 8 GiB size or a uid over 2,097,151 (whose PAX record readers take first).
    /// </summary>
    private static void PutNumber(Span<byte> field, long value)
    {
        if (value >= 0 && value < 1L << (3 * (field.Length - 1)))
        {
            PutOctal(field, value);
            return;
        }
        field[0] = 0x80;
        for (var i = field.Length - 1; i >= 1; i--, value >>>= 8)
        {
            field[i] = (byte)value;
        }
    }

    /// <summary>Octal digits, zero-filled, ended by a NUL; a value that does not fit keeps its low digits, and one below 1 is all zeros.</summary>
    private static void PutOctal(Span<byte> field, long value)
    {
        field[^1] = 0;
        for (var i = field.Length - 2; i >= 0; i--)
        {
            field[i] = (byte)('0' + (value > 0 ? value & 7 : 0));
            value = value > 0 ? value >> 3 : 0;
        }
    }
}
