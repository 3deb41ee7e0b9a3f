using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Parascope.Facts;

/// <summary>
/// The envelope every cached record travels in: magic (4 bytes), version (u32 LE), payload length (u64 LE), SHA-256 of
/// the payload (32 bytes), payload: the deflated record. A frame that is short, long, foreign, of another version or
/// whose checksum fails opens to null: such bytes are never trusted.
/// </summary>
public static class Frame
{
    private const int HeaderLength = 4 + 4 + 8 + 32;

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

    /// <summary>The content FRAME carries, inflated whole, or null when FRAME is not an intact frame of MAGIC and VERSION.</summary>
    public static ReadOnlyMemory<byte>? Read(byte[] frame, ReadOnlySpan<byte> magic, uint version)
    {
        using var content = Open(frame, magic, version);
        if (content is null)
        {
            return null;
        }
        // Deflate gains ~4x on these records: a first guess that seldom grows.
        using var inflated = new MemoryStream(frame.Length * 4);
        content.CopyTo(inflated);
        return inflated.GetBuffer().AsMemory(0, (int)inflated.Length);
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
