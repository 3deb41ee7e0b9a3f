using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Parascope.Files;

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
    private static IStringPool? t_strings;

    /// <summary>Shares every string read on this thread through STRINGS until the result is disposed (none: nothing shared).</summary>
    public static SharingScope Share(IStringPool? strings)
    {
        var previous = t_strings;
        t_strings = strings;
        return new SharingScope(previous);
    }

    public readonly struct SharingScope(IStringPool? previous) : IDisposable
    {
        public void Dispose() => t_strings = previous;
    }

    /// <summary>The strings of the value being read on this thread, when it was written with a table (<see cref="WriteTabled"/>).</summary>
    [ThreadStatic]
    private static string[]? t_table;

    /// <summary>The table the value being written on this thread collects its strings in (<see cref="WriteTabled"/>).</summary>
    [ThreadStatic]
    private static StringTable? t_writing;

    /// <summary>
    /// VALUE's JSON with each distinct string written once: {"Strings": [every string, in first-use order], "Value": the
    /// value, each string (dictionary keys too) as its index in Strings}. For a kept store whose strings repeat: a
    /// configuration group's ~17,000 findings of xnu-11417 hold ~140,000 strings of a few thousand distinct (rule ids,
    /// actions, files), which reading parsed and looked up one by one. Only types whose strings go through
    /// <see cref="StringConverter"/> (their context lists it) may be written so; <see cref="ReadTabled"/> reads it.
    /// </summary>
    public static byte[] WriteTabled<T>(T value, JsonTypeInfo<T> type)
    {
        var previous = t_writing;
        var table = t_writing = new StringTable();
        byte[] body;
        try
        {
            body = JsonSerializer.SerializeToUtf8Bytes(value, type);
        }
        finally
        {
            t_writing = previous;
        }
        var output = new ArrayBufferWriter<byte>(body.Length + table.Bytes + 64);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("Strings"u8);
            foreach (var text in table.Strings)
            {
                writer.WriteStringValue(text);
            }
            writer.WriteEndArray();
            writer.WritePropertyName("Value"u8);
            writer.WriteRawValue(body, skipInputValidation: true);
            writer.WriteEndObject();
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The value in CONTENT (written by <see cref="WriteTabled"/>); its table's strings shared when a decode on this
    /// thread shares strings. Bytes of another shape, or an index out of the table, throw <see cref="JsonException"/>.
    /// </summary>
    public static T? ReadTabled<T>(ReadOnlySpan<byte> content, JsonTypeInfo<T> type)
    {
        var reader = new Utf8JsonReader(content);
        Expect(ref reader, JsonTokenType.StartObject);
        Expect(ref reader, JsonTokenType.PropertyName);
        if (!reader.ValueTextEquals("Strings"u8))
        {
            throw new JsonException("expected the strings");
        }
        Expect(ref reader, JsonTokenType.StartArray);
        var strings = ReadArray(ref reader, static (ref Utf8JsonReader r) => ReadString(ref r));
        Expect(ref reader, JsonTokenType.PropertyName);
        if (!reader.ValueTextEquals("Value"u8) || !reader.Read())
        {
            throw new JsonException("expected the value");
        }
        // The value runs to the object's closing brace, the last byte written: found from the end, not by reading the
        // value's tokens twice (skipping it cost a fifth of reading the lexical store). Anything else in between is not
        // one JSON value, which the deserializer refuses.
        var start = checked((int)reader.TokenStartIndex);
        var end = content.TrimEnd(" \t\r\n"u8).Length - 1;
        if (end <= start || content[end] != (byte)'}')
        {
            throw new JsonException("expected the end of the object");
        }
        var previous = t_table;
        t_table = strings;
        try
        {
            return JsonSerializer.Deserialize(content[start..end], type);
        }
        finally
        {
            t_table = previous;
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (!reader.Read() || reader.TokenType != token)
        {
            throw new JsonException($"expected {token}");
        }
    }

    /// <summary>A string of a tabled value: its index in the table.</summary>
    private static string FromTable(string[] table, int index) =>
        (uint)index < (uint)table.Length ? table[index] : throw new JsonException("a string index out of the table");

    /// <summary>The strings a tabled value names, each once, in first-use order.</summary>
    private sealed class StringTable
    {
        private readonly Dictionary<string, int> _indexes = new(StringComparer.Ordinal);

        public List<string> Strings { get; } = [];

        /// <summary>A bound of the strings' UTF-8 JSON, to size the output.</summary>
        public int Bytes { get; private set; }

        public int IndexOf(string text)
        {
            if (!_indexes.TryGetValue(text, out var index))
            {
                index = Strings.Count;
                _indexes.Add(text, index);
                Strings.Add(text);
                Bytes += text.Length * 3 + 3;
            }
            return index;
        }
    }

    /// <summary>The string at READER, shared when a decode on this thread shares strings (from the table of a tabled value).</summary>
    public static string ReadString(ref Utf8JsonReader reader)
    {
        if (t_table is { } table)
        {
            if (reader.TokenType == JsonTokenType.Number)
            {
                return FromTable(table, reader.GetInt32());
            }
            if (reader.TokenType == JsonTokenType.PropertyName && Utf8Parser.TryParse(reader.ValueSpan, out int key, out var used) && used == reader.ValueSpan.Length)
            {
                return FromTable(table, key);
            }
            throw new JsonException("expected a string's index");
        }
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

    /// <summary>VALUE as <see cref="StringConverter"/> writes it: its index when the value written has a table, else the string.</summary>
    public static void WriteString(Utf8JsonWriter writer, string value)
    {
        if (t_writing is { } table)
        {
            writer.WriteNumberValue(table.IndexOf(value));
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    /// <summary>
    /// A record written as a row, the JSON array of its members in a fixed order ([2, 17, 1, false, -1]), not as an
    /// object of named members. For the small records a store holds by the hundred thousand (declarations, call edges):
    /// reading an object matches every member's name and goes through the serializer's generic object machinery, which
    /// was most of the cost of reading the lexical store (its 190,934 declarations alone 0.48 s of CPU per re-scan of xnu-11417).
    /// Strings go through <see cref="WriteString"/> and <see cref="ReadString"/> (tabled and shared as elsewhere).
    /// </summary>
    public abstract class RowConverter<T> : JsonConverter<T>
    {
        /// <summary>The members, each read by <see cref="Row"/> from READER, in the order <see cref="WriteRow"/> writes them.</summary>
        protected abstract T ReadRow(ref Utf8JsonReader reader);

        protected abstract void WriteRow(Utf8JsonWriter writer, T value);

        public sealed override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException($"expected a row of {typeof(T).Name}");
            }
            var value = ReadRow(ref reader);
            if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
            {
                throw new JsonException($"a row of {typeof(T).Name} too long");
            }
            return value;
        }

        public sealed override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            WriteRow(writer, value);
            writer.WriteEndArray();
        }
    }

    /// <summary>
    /// The members of a row, read in order from the reader at the row's start ([) or at the member before: the next
    /// member; a missing one or one of another type throws <see cref="JsonException"/>.
    /// </summary>
    public static class Row
    {
        private static void Next(ref Utf8JsonReader reader)
        {
            if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
            {
                throw new JsonException("a row too short");
            }
        }

        public static string String(ref Utf8JsonReader reader)
        {
            Next(ref reader);
            return ReadString(ref reader);
        }

        public static string? NullableString(ref Utf8JsonReader reader)
        {
            Next(ref reader);
            return reader.TokenType == JsonTokenType.Null ? null : ReadString(ref reader);
        }

        public static int Int32(ref Utf8JsonReader reader)
        {
            Next(ref reader);
            return reader.GetInt32();
        }

        public static byte Byte(ref Utf8JsonReader reader)
        {
            Next(ref reader);
            return reader.GetByte();
        }

        public static bool Boolean(ref Utf8JsonReader reader)
        {
            Next(ref reader);
            return reader.GetBoolean();
        }
    }

    /// <summary>Pairs of strings ((slot, function), (typedef name, target)) as rows; either may be null.</summary>
    public sealed class StringPairConverter : RowConverter<(string, string)>
    {
        protected override (string, string) ReadRow(ref Utf8JsonReader reader) => (Row.NullableString(ref reader)!, Row.NullableString(ref reader)!);

        protected override void WriteRow(Utf8JsonWriter writer, (string, string) value)
        {
            WriteNullable(writer, value.Item1);
            WriteNullable(writer, value.Item2);
        }
    }

    /// <summary>VALUE as <see cref="WriteString"/> writes it, or JSON's null.</summary>
    public static void WriteNullable(Utf8JsonWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            WriteString(writer, value);
        }
    }

    /// <summary>Strings, shared as <see cref="ReadString"/> shares them.</summary>
    public sealed class StringConverter : JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadString(ref reader);

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => WriteString(writer, value);

        // Dictionary keys (a site's properties) are strings too.
        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadString(ref reader);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
        {
            if (t_writing is { } table)
            {
                writer.WritePropertyName(table.IndexOf(value).ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                writer.WritePropertyName(value);
            }
        }
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

/// <summary>Where strings read are shared: one string per distinct text (Parsing.SharedStrings, for the units parsed together).</summary>
public interface IStringPool
{
    /// <summary>The shared string of these characters; a new one only for characters not seen before.</summary>
    string Share(ReadOnlySpan<char> value);
}
