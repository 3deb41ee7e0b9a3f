using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parascope.Parsing;

namespace Parascope.Facts;

/// <summary>
/// How the codec reads the strings and integer arrays of unit facts with little garbage. A re-scan of xnu-11417 reads
/// back ~200 MB of facts JSON: System.Text.Json gave each of ~2 million strings (paths, digests, function names, most
/// of them the same few thousand) an allocation of its own and grew a list per array, doubling and copying, and the
/// collections these caused were half of the decoding's time (bench/micro decode). The JSON is unchanged: only reading is.
/// </summary>
internal static class LeanReading
{
    /// <summary>Where the strings read on this thread are shared, while a decode that has one runs.</summary>
    [ThreadStatic]
    private static SharedStrings? t_strings;

    /// <summary>Shares every string read on this thread through STRINGS until the result is disposed (none: nothing shared).</summary>
    public static SharingScope Share(SharedStrings? strings)
    {
        var previous = t_strings;
        t_strings = strings;
        return new SharingScope(previous);
    }

    public readonly struct SharingScope(SharedStrings? previous) : IDisposable
    {
        public void Dispose() => t_strings = previous;
    }

    /// <summary>The string at READER, shared when a decode on this thread shares strings.</summary>
    public static string ReadString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            throw new JsonException("expected a string");
        }
        if (t_strings is not { } strings)
        {
            return reader.GetString()!;
        }
        // Unescaped, a JSON string has no more UTF-16 characters than its raw UTF-8 bytes.
        var bound = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        if (bound <= 512)
        {
            Span<char> buffer = stackalloc char[512];
            return strings.Share(buffer[..reader.CopyString(buffer)]);
        }
        var rented = ArrayPool<char>.Shared.Rent(bound);
        try
        {
            return strings.Share(rented.AsSpan(0, reader.CopyString(rented)));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>Strings, shared as <see cref="ReadString"/> shares them.</summary>
    public sealed class StringConverter : JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadString(ref reader);

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        // Dictionary keys (a site's properties) are strings too.
        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadString(ref reader);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);
    }

    /// <summary>String arrays read into a pooled buffer and copied once.</summary>
    public sealed class StringArrayConverter : JsonConverter<string[]>
    {
        public override string[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            ReadArray(ref reader, static (ref Utf8JsonReader r) => ReadString(ref r));

        public override void Write(Utf8JsonWriter writer, string[] value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var item in value)
            {
                writer.WriteStringValue(item);
            }
            writer.WriteEndArray();
        }
    }

    /// <summary>Integer arrays read into a pooled buffer and copied once.</summary>
    public sealed class Int32ArrayConverter : JsonConverter<int[]>
    {
        public override int[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            ReadArray(ref reader, static (ref Utf8JsonReader r) => r.GetInt32());

        public override void Write(Utf8JsonWriter writer, int[] value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var item in value)
            {
                writer.WriteNumberValue(item);
            }
            writer.WriteEndArray();
        }
    }

    private delegate T ItemReader<T>(ref Utf8JsonReader reader);

    private static T[] ReadArray<T>(ref Utf8JsonReader reader, ItemReader<T> item)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("expected an array");
        }
        var buffer = ArrayPool<T>.Shared.Rent(256);
        var count = 0;
        try
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (count == buffer.Length)
                {
                    var larger = ArrayPool<T>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<T>.Shared.Return(buffer, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
                    buffer = larger;
                }
                buffer[count++] = item(ref reader);
            }
            return buffer.AsSpan(0, count).ToArray();
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }
    }
}
