namespace Containers.Build.Layers;

/// <summary>
/// A file's deflate bytes inside a package archive: <see cref="CompressedLength"/> bytes at <see cref="DataOffset"/> of
/// <see cref="ArchivePath"/>, which decompress to <see cref="Length"/> bytes whose CRC-32 is <see cref="Crc"/> (as the
/// archive's directory says; <see cref="ParallelGzipStream"/> checks it before any of it is written).
/// </summary>
public sealed record PackedEntry(string ArchivePath, string EntryName, long DataOffset, int CompressedLength, long Length, uint Crc);
