using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text.Json;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Workers;

/// <summary>What a parse worker is told with the first unit of a parse stage: everything its collectors need besides the units.</summary>
internal sealed record WorkerSetup
{
    public required string Root { get; init; }
    public string? RulesDirectory { get; init; }
    /// <summary>Whether the call graph's collector runs with the detectors' (a configuration's variant units run without it).</summary>
    public bool CallGraph { get; init; }
    /// <summary>Repaired tree files libclang reads instead of disk (discovery's overlays), by absolute path.</summary>
    public ImmutableSortedDictionary<string, string> Overlays { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
}

/// <summary>
/// One unit to read, with what the scan learnt of header bodies' first reachers since this worker's last unit (all of
/// it after <see cref="Settle"/>), so that the worker walks the bodies the scan's own walk would.
/// </summary>
internal sealed record UnitRequest
{
    /// <summary>A new parse stage starts with this unit (fresh collectors, texts and reach); null: the same stage as the last unit.</summary>
    public WorkerSetup? Setup { get; init; }
    public required SourceUnit Unit { get; init; }
    public int Rank { get; init; }
    /// <summary>The scan's reach was settled: replace the worker's copy with <see cref="Reach"/> and settle it.</summary>
    public bool Settle { get; init; }
    public ImmutableArray<FirstReach> Reach { get; init; } = [];
}

/// <summary>
/// The pipe between the scan and a worker: messages of a 32-bit little-endian length and that many bytes. Requests
/// are JSON; the worker's first message is empty (ready), then one <see cref="Facts.UnitFactsCodec"/> frame
/// per request, which carries its own checksum.
/// </summary>
internal static class WorkerMessages
{
    /// <summary>No answer is larger (a unit's facts are kilobytes to a few megabytes): a larger length is garbage, not a message.</summary>
    public const int MaxLength = 1 << 30;

    private static readonly JsonSerializerOptions Json = new() { IncludeFields = true };

    /// <summary>What a worker's facts frame is stored under (its key): the unit's path under the root and its arch.</summary>
    public static string KeyOf(SourceUnit unit) => $"{unit.RelativePath}\t{unit.Arch}";

    public static byte[] Encode<T>(T message) => JsonSerializer.SerializeToUtf8Bytes(message, Json);

    public static T? Decode<T>(byte[] bytes) => JsonSerializer.Deserialize<T>(bytes, Json);

    public static void Write(Stream stream, ReadOnlySpan<byte> message)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, message.Length);
        stream.Write(length);
        stream.Write(message);
        stream.Flush();
    }

    /// <summary>The next message; null at the end of the stream before a message starts.</summary>
    /// <exception cref="EndOfStreamException">The stream ends inside a message.</exception>
    /// <exception cref="InvalidDataException">The length is negative or beyond <see cref="MaxLength"/>.</exception>
    public static byte[]? Read(Stream stream)
    {
        var length = new byte[4];
        var got = stream.ReadAtLeast(length, 4, throwOnEndOfStream: false);
        if (got == 0)
        {
            return null;
        }
        if (got < 4)
        {
            throw new EndOfStreamException("the stream ended inside a message's length");
        }
        var size = BinaryPrimitives.ReadInt32LittleEndian(length);
        if (size is < 0 or > MaxLength)
        {
            throw new InvalidDataException($"a message of {size} bytes");
        }
        var message = new byte[size];
        stream.ReadExactly(message);
        return message;
    }
}
