using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Parascope.Files;

/// <summary>
/// The envelope every cached record travels in: magic (4 bytes), version (u32 LE), payload length (u64 LE), SHA-256 of
/// the payload (32 bytes), payload: the deflated record. A frame that is short, long, foreign, of another version or
/// whose checksum fails opens to null: such bytes are never trusted.
/// </summary>
public static class Frame
{
    private const int HeaderLength = 4 + 4 + 8 + 32;

    /// <summary>
    /// FRAME (or any bytes) written to a temporary file beside PATH and renamed over it: a reader (another scan sharing
    /// the cache) sees the old file or the new one, never half. False when it could not be written: what is kept for the
    /// next scan costs speed, never the scan.
    /// </summary>
    public static bool WriteFile(string path, byte[] frame)
    {
        var temporary = path + $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(temporary, frame);
            File.Move(temporary, path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
                // Left behind: the result cache's trim counts stale temporary files as entries.
            }
            return false;
        }
    }

    /// <summary>
    /// CONTENT deflated and framed under MAGIC (4 bytes) and VERSION. LEVEL: how hard to compress; bytes that only cross
    /// a pipe are stored (<see cref="CompressionLevel.NoCompression"/>: deflate's stored blocks, the same format, no work).
    /// </summary>
    public static byte[] Wrap(ReadOnlySpan<byte> magic, uint version, ReadOnlySpan<byte> content, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var payload = new MemoryStream();
        using (var deflate = new DeflateStream(payload, level, leaveOpen: true))
        {
            deflate.Write(content);
        }
        var body = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        var frame = new byte[HeaderLength + body.Length];
        magic[..4].CopyTo(frame);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), version);
        BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(8), (ulong)body.Length);
        SHA256.HashData(body, frame.AsSpan(16, 32));
        body.CopyTo(frame.AsSpan(HeaderLength));
        return frame;
    }

    /// <summary>Whether FRAME is an intact frame of MAGIC and VERSION (its checksum holds), without reading its content.</summary>
    public static bool IsIntact(byte[] frame, ReadOnlySpan<byte> magic, uint version)
    {
        using var content = Open(frame, magic, version);
        return content is not null;
    }

    /// <summary>
    /// The content FRAME carries, inflated whole into an array of its own (<see cref="Inflate"/> for content read once and
    /// dropped), or null when FRAME is not an intact frame of MAGIC and VERSION.
    /// </summary>
    public static ReadOnlyMemory<byte>? Read(byte[] frame, ReadOnlySpan<byte> magic, uint version)
    {
        using var content = Inflate(frame, magic, version);
        return content is null ? null : content.Span.ToArray();
    }

    /// <summary>
    /// The content FRAME carries, inflated whole into a buffer rented from the shared pool, which disposing the result
    /// returns (a re-scan of xnu-11417 inflates ~200 MB of unit facts that are read once and dropped), or null when FRAME
    /// is not an intact frame of MAGIC and VERSION.
    /// </summary>
    public static InflatedContent? Inflate(byte[] frame, ReadOnlySpan<byte> magic, uint version)
    {
        using var content = Open(frame, magic, version);
        if (content is null)
        {
            return null;
        }
        // Deflate gains ~4x on these records: a first guess that seldom grows.
        var (buffer, length) = PooledRead.ToEnd(Math.Max(4096, frame.Length * 5), (into, offset) => content.Read(into, offset, into.Length - offset));
        return new InflatedContent(buffer, length);
    }

    /// <summary>The content FRAME carries, as a stream to read it from, or null when FRAME is not an intact frame of MAGIC and VERSION.</summary>
    public static Stream? Open(byte[] frame, ReadOnlySpan<byte> magic, uint version)
    {
        var span = frame.AsSpan();
        if (span.Length < HeaderLength || !span[..4].SequenceEqual(magic[..4])
            || BinaryPrimitives.ReadUInt32LittleEndian(span[4..]) != version
            || BinaryPrimitives.ReadUInt64LittleEndian(span[8..]) != (ulong)(span.Length - HeaderLength))
        {
            return null;
        }
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(span[HeaderLength..], digest);
        if (!digest.SequenceEqual(span.Slice(16, 32)))
        {
            return null;
        }
        return new DeflateStream(new MemoryStream(frame, HeaderLength, frame.Length - HeaderLength, writable: false), CompressionMode.Decompress);
    }
}

/// <summary>A frame's content in a pooled buffer (<see cref="Frame.Inflate"/>); valid until disposed.</summary>
public sealed class InflatedContent : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    internal InflatedContent(byte[] buffer, int length) => (_buffer, _length) = (buffer, length);

    public ReadOnlySpan<byte> Span => (_buffer ?? throw new ObjectDisposedException(nameof(InflatedContent))).AsSpan(0, _length);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
