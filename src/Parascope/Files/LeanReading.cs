using System.Buffers;
using System.Buffers.Text;
using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
        var table = new TableWriter();
        var body = table.Write(value, type);
        var output = new ArrayBufferWriter<byte>(body.Length + table.Bytes + 64);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("Strings"u8);
            table.WriteStrings(writer);
            writer.WritePropertyName("Value"u8);
            writer.WriteRawValue(body, skipInputValidation: true);
            writer.WriteEndObject();
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Values written against one table of strings (each distinct string of all of them once): <see cref="WriteTabled"/>'s
    /// table for one value, or a store's for many values it reads back one by one (<see cref="ReadWith"/>).
    /// </summary>
    public sealed class TableWriter
    {
        private readonly StringTable _table = new();

        /// <summary>VALUE's JSON with each string as its index in this table (TYPE's context lists <see cref="StringConverter"/>).</summary>
        public byte[] Write<T>(T value, JsonTypeInfo<T> type)
        {
            var previous = t_writing;
            t_writing = _table;
            try
            {
                return JsonSerializer.SerializeToUtf8Bytes(value, type);
            }
            finally
            {
                t_writing = previous;
            }
        }

        /// <summary>A bound of the strings' UTF-8 JSON.</summary>
        public int Bytes => _table.Bytes;

        /// <summary>The table: every string written so far, in first-use order, as a JSON array.</summary>
        public void WriteStrings(Utf8JsonWriter writer)
        {
            writer.WriteStartArray();
            foreach (var text in _table.Strings)
            {
                writer.WriteStringValue(text);
            }
            writer.WriteEndArray();
        }
    }

    /// <summary>The strings of a JSON array of strings at READER (a <see cref="TableWriter"/>'s table), shared when a decode on this thread shares strings.</summary>
    public static string[] ReadStrings(ref Utf8JsonReader reader) => ReadArray(ref reader, static (ref Utf8JsonReader r) => ReadString(ref r));

    /// <summary>The value in CONTENT, written by a <see cref="TableWriter"/> whose table is TABLE; an index out of it throws <see cref="JsonException"/>.</summary>
    public static T? ReadWith<T>(ReadOnlySpan<byte> content, string[] table, JsonTypeInfo<T> type)
    {
        var previous = t_table;
        t_table = table;
        try
        {
            return JsonSerializer.Deserialize(content, type);
        }
        finally
        {
            t_table = previous;
        }
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
        var strings = ReadStrings(ref reader);
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
        return ReadWith(content[start..end], strings, type);
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
    internal sealed class StringTable
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
    }

    /// <summary>
    /// An array of records in a value written with a table (a kept store), packed: every member of every record as an
    /// integer (a string as its index in the table plus one, null as 0), all in one string as <see cref="Int32ArrayConverter"/>
    /// packs integers. For the arrays a store holds by the hundred thousand (the lexical store's 190,934 declarations and
    /// 65,891 store candidates of xnu-11417), whose JSON tokens, even as rows, were most of reading the store. Written
    /// without a table (a test's plain JSON), the array is the records' JSON as their own converters write it.
    /// </summary>
    public abstract class PackedRowsConverter<T> : PackedArrayConverter<T>
    {
        /// <summary>How many integers a record packs into.</summary>
        protected abstract int Width { get; }

        protected abstract void Pack(ref RowPacker row, T value);

        protected abstract T Unpack(ref RowUnpacker row);

        private protected sealed override ImmutableArray<T> Unpacked(int[] values, string[] table)
        {
            if (values.Length % Width != 0)
            {
                throw new JsonException($"packed {typeof(T).Name} rows of the wrong width");
            }
            var records = new T[values.Length / Width];
            var row = new RowUnpacker(values, table);
            for (var i = 0; i < records.Length; i++)
            {
                records[i] = Unpack(ref row);
            }
            return ImmutableCollectionsMarshal.AsImmutableArray(records);
        }

        private protected sealed override int[] Packed(ImmutableArray<T> value, StringTable table)
        {
            var row = new RowPacker(new int[value.Length * Width], table);
            foreach (var record in value)
            {
                Pack(ref row, record);
            }
            return row.Values;
        }
    }

    /// <summary>
    /// An array of records packed as integers in one string (<see cref="PackedRowsConverter{T}"/>,
    /// <see cref="PackedRecordsConverter{T}"/>) when written with a table; without one (a test's plain JSON), the records'
    /// JSON as their own converters write it. A default array is null.
    /// </summary>
    public abstract class PackedArrayConverter<T> : JsonConverter<ImmutableArray<T>>
    {
        private protected abstract ImmutableArray<T> Unpacked(int[] values, string[] table);

        private protected abstract int[] Packed(ImmutableArray<T> value, StringTable table);

        public sealed override ImmutableArray<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return default;
            }
            return t_table is { } table
                ? Unpacked(ReadPacked(ref reader), table)
                : [.. JsonSerializer.Deserialize(ref reader, (JsonTypeInfo<T[]>)options.GetTypeInfo(typeof(T[])))!];
        }

        public sealed override void Write(Utf8JsonWriter writer, ImmutableArray<T> value, JsonSerializerOptions options)
        {
            if (value.IsDefault)
            {
                writer.WriteNullValue();
            }
            else if (t_writing is { } table)
            {
                WritePacked(writer, Packed(value, table));
            }
            else
            {
                JsonSerializer.Serialize(writer, value.ToArray(), (JsonTypeInfo<T[]>)options.GetTypeInfo(typeof(T[])));
            }
        }
    }

    /// <summary>
    /// An array of records of varying width (a record holding arrays of its own) packed as <see cref="PackedRowsConverter{T}"/>
    /// packs fixed-width rows: the count, then each record's integers as its <see cref="Pack"/> writes them, which
    /// <see cref="Unpack"/> reads back in the same order (an array as its length, -1 for a default one, then its items).
    /// Written without a table, the array is the records' JSON as their own converters write it.
    /// </summary>
    public abstract class PackedRecordsConverter<T> : PackedArrayConverter<T>
    {
        protected abstract void Pack(RecordPacker record, T value);

        protected abstract T Unpack(ref RowUnpacker record);

        private protected sealed override ImmutableArray<T> Unpacked(int[] values, string[] table)
        {
            var row = new RowUnpacker(values, table);
            var count = values.Length == 0 ? throw new JsonException($"packed {typeof(T).Name} records without a count") : row.Int();
            if (count < 0 || count > values.Length)
            {
                throw new JsonException($"packed {typeof(T).Name} records of a wrong count");
            }
            var records = new T[count];
            for (var i = 0; i < records.Length; i++)
            {
                records[i] = Unpack(ref row);
            }
            return row.AtEnd ? ImmutableCollectionsMarshal.AsImmutableArray(records) : throw new JsonException($"packed {typeof(T).Name} records with integers left over");
        }

        private protected sealed override int[] Packed(ImmutableArray<T> value, StringTable table)
        {
            var record = new RecordPacker(table);
            record.Int(value.Length);
            foreach (var item in value)
            {
                Pack(record, item);
            }
            return [.. record.Values];
        }
    }

    /// <summary>Records of varying width packed as integers, in order (<see cref="PackedRecordsConverter{T}"/>).</summary>
    public sealed class RecordPacker
    {
        private readonly StringTable _table;

        internal RecordPacker(StringTable table) => _table = table;

        internal List<int> Values { get; } = [];

        public void Int(int value) => Values.Add(value);

        public void Bool(bool value) => Int(value ? 1 : 0);

        public void String(string? value) => Int(value is null ? 0 : _table.IndexOf(value) + 1);

        /// <summary>An optional integer: 0 for none, else 1 and the value.</summary>
        public void NullableInt(int? value)
        {
            Bool(value is not null);
            if (value is { } present)
            {
                Int(present);
            }
        }

        /// <summary>ITEMS' length (-1 for a default array), then each item as PACK writes it.</summary>
        public void Array<TItem>(ImmutableArray<TItem> items, Action<RecordPacker, TItem> pack)
        {
            if (items.IsDefault)
            {
                Int(-1);
                return;
            }
            Int(items.Length);
            foreach (var item in items)
            {
                pack(this, item);
            }
        }

        public void Strings(ImmutableArray<string> items) => Array(items, static (record, item) => record.String(item));

        /// <summary>FLAGS' length (-1 for a default array), then the flags 30 to an integer, first flag lowest.</summary>
        public void Bits(ImmutableArray<bool> flags)
        {
            if (flags.IsDefault)
            {
                Int(-1);
                return;
            }
            Int(flags.Length);
            for (var start = 0; start < flags.Length; start += BitsPerInt)
            {
                var word = 0;
                for (var i = start; i < Math.Min(start + BitsPerInt, flags.Length); i++)
                {
                    word |= flags[i] ? 1 << (i - start) : 0;
                }
                Int(word);
            }
        }
    }

    /// <summary>Flags per packed integer (<see cref="RecordPacker.Bits"/>): a zigzag varint of 30 bits stays within five bytes.</summary>
    private const int BitsPerInt = 30;

    /// <summary>A record's members packed as integers, in order (<see cref="PackedRowsConverter{T}"/>).</summary>
    public ref struct RowPacker
    {
        private readonly StringTable _table;
        private int _at;

        internal RowPacker(int[] values, StringTable table)
        {
            Values = values;
            _table = table;
        }

        internal int[] Values { get; }

        public void Int(int value) => Values[_at++] = value;

        public void Bool(bool value) => Int(value ? 1 : 0);

        public void String(string? value) => Int(value is null ? 0 : _table.IndexOf(value) + 1);
    }

    /// <summary>One item of a packed array, read from ROW.</summary>
    public delegate TItem Unpacking<TItem>(ref RowUnpacker row);

    /// <summary>A record's members unpacked, in the order they were packed; a string index out of the table throws <see cref="JsonException"/>.</summary>
    public ref struct RowUnpacker(ReadOnlySpan<int> values, string[] table)
    {
        private readonly ReadOnlySpan<int> _values = values;
        private int _at;

        public int Int() => (uint)_at < (uint)_values.Length ? _values[_at++] : throw new JsonException("packed integers too few");

        /// <summary>Whether every integer was read.</summary>
        public readonly bool AtEnd => _at == _values.Length;

        /// <summary>An optional integer (<see cref="RecordPacker.NullableInt"/>).</summary>
        public int? NullableInt() => Bool() ? Int() : null;

        /// <summary>An array packed by <see cref="RecordPacker.Array"/>, each item read by UNPACK.</summary>
        public ImmutableArray<TItem> Array<TItem>(Unpacking<TItem> unpack)
        {
            var count = Int();
            if (count == -1)
            {
                return default;
            }
            if (count < 0 || count > _values.Length - _at)
            {
                throw new JsonException("a packed array of a wrong length");
            }
            var items = new TItem[count];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = unpack(ref this);
            }
            return ImmutableCollectionsMarshal.AsImmutableArray(items);
        }

        public ImmutableArray<string> Strings() => Array(static (ref RowUnpacker row) => row.String());

        /// <summary>Flags packed by <see cref="RecordPacker.Bits"/>.</summary>
        public ImmutableArray<bool> Bits()
        {
            var count = Int();
            if (count == -1)
            {
                return default;
            }
            if (count < 0 || (count + BitsPerInt - 1) / BitsPerInt > _values.Length - _at)
            {
                throw new JsonException("packed flags of a wrong length");
            }
            var flags = new bool[count];
            for (var start = 0; start < count; start += BitsPerInt)
            {
                var word = Int();
                if ((uint)word >= 1u << BitsPerInt)
                {
                    throw new JsonException("packed flags out of range");
                }
                for (var i = start; i < Math.Min(start + BitsPerInt, count); i++)
                {
                    flags[i] = (word & 1 << (i - start)) != 0;
                }
            }
            return ImmutableCollectionsMarshal.AsImmutableArray(flags);
        }

        public byte Byte() => Int() is var value && value is >= 0 and <= byte.MaxValue ? (byte)value : throw new JsonException("a packed byte out of range");

        public bool Bool() => Int() switch
        {
            0 => false,
            1 => true,
            _ => throw new JsonException("a packed flag neither 0 nor 1"),
        };

        public string? NullableString() => Int() is var index && index == 0 ? null : FromTable(table, index - 1);

        public string String() => NullableString() ?? throw new JsonException("a packed string missing");
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

    /// <summary>
    /// String arrays read into a pooled buffer and copied once. In a value written with a table (where each string is
    /// its index) the indexes are packed as <see cref="Int32ArrayConverter"/> packs integers.
    /// </summary>
    public sealed class StringArrayConverter : JsonConverter<string[]>
    {
        public override string[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (t_table is not { } table)
            {
                return ReadArray(ref reader, static (ref Utf8JsonReader r) => ReadString(ref r));
            }
            var indexes = ReadPacked(ref reader);
            var strings = new string[indexes.Length];
            for (var i = 0; i < strings.Length; i++)
            {
                strings[i] = FromTable(table, indexes[i]);
            }
            return strings;
        }

        public override void Write(Utf8JsonWriter writer, string[] value, JsonSerializerOptions options)
        {
            if (t_writing is { } table)
            {
                var indexes = new int[value.Length];
                for (var i = 0; i < value.Length; i++)
                {
                    indexes[i] = table.IndexOf(value[i]);
                }
                WritePacked(writer, indexes);
                return;
            }
            writer.WriteStartArray();
            foreach (var item in value)
            {
                writer.WriteStringValue(item);
            }
            writer.WriteEndArray();
        }
    }

    /// <summary>
    /// Flag arrays (which of a file's statements a unit compiled) as one string of '0' and '1': written as JSON's
    /// true/false they were ~80,000 tokens per 200 units of xnu-11417.
    /// </summary>
    public sealed class BitsConverter : JsonConverter<ImmutableArray<bool>>
    {
        public override ImmutableArray<bool> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return default;
            }
            if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence)
            {
                throw new JsonException("expected a string of flags");
            }
            var bits = reader.ValueSpan;
            var flags = new bool[bits.Length];
            for (var i = 0; i < bits.Length; i++)
            {
                flags[i] = bits[i] switch
                {
                    (byte)'1' => true,
                    (byte)'0' => false,
                    _ => throw new JsonException("a flag neither 0 nor 1"),
                };
            }
            return ImmutableCollectionsMarshal.AsImmutableArray(flags);
        }

        public override void Write(Utf8JsonWriter writer, ImmutableArray<bool> value, JsonSerializerOptions options)
        {
            if (value.IsDefault)
            {
                writer.WriteNullValue();
                return;
            }
            Span<byte> bits = value.Length <= 1024 ? stackalloc byte[value.Length] : new byte[value.Length];
            for (var i = 0; i < value.Length; i++)
            {
                bits[i] = value[i] ? (byte)'1' : (byte)'0';
            }
            writer.WriteStringValue(bits);
        }
    }

    /// <summary>
    /// Integer arrays (a unit's path and name indexes, its functions' lines) packed in one base64 string of zigzag
    /// varints: as JSON numbers they were ~4,000 tokens per unit of xnu-11417, and reading them token by token most of
    /// what a unit's facts cost to read back once their strings were tabled.
    /// </summary>
    public sealed class Int32ArrayConverter : JsonConverter<int[]>
    {
        public override int[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadPacked(ref reader);

        public override void Write(Utf8JsonWriter writer, int[] value, JsonSerializerOptions options) => WritePacked(writer, value);
    }

    private static void WritePacked(Utf8JsonWriter writer, int[] value)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(value.Length * 5);
        try
        {
            var length = 0;
            foreach (var item in value)
            {
                var zigzag = (uint)((item << 1) ^ (item >> 31));
                while (zigzag >= 0x80)
                {
                    buffer[length++] = (byte)(zigzag | 0x80);
                    zigzag >>= 7;
                }
                buffer[length++] = (byte)zigzag;
            }
            writer.WriteBase64StringValue(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int[] ReadPacked(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("expected packed integers");
        }
        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> bytes;
            if (reader.ValueIsEscaped || reader.HasValueSequence)
            {
                bytes = reader.TryGetBytesFromBase64(out var decoded) ? decoded : throw new JsonException("packed integers that are not base64");
            }
            else
            {
                var text = reader.ValueSpan;
                rented = ArrayPool<byte>.Shared.Rent(Base64.GetMaxDecodedFromUtf8Length(text.Length));
                if (Base64.DecodeFromUtf8(text, rented, out _, out var written) != OperationStatus.Done)
                {
                    throw new JsonException("packed integers that are not base64");
                }
                bytes = rented.AsSpan(0, written);
            }
            var count = 0;
            foreach (var b in bytes)
            {
                if (b < 0x80)
                {
                    count++;
                }
            }
            var values = new int[count];
            var at = 0;
            for (var i = 0; i < values.Length; i++)
            {
                uint zigzag = 0;
                for (var shift = 0; ; shift += 7)
                {
                    if (shift > 28)
                    {
                        throw new JsonException("a packed integer too long");
                    }
                    var b = bytes[at++];
                    zigzag |= (uint)(b & 0x7F) << shift;
                    if (b < 0x80)
                    {
                        break;
                    }
                }
                values[i] = (int)(zigzag >> 1) ^ -(int)(zigzag & 1);
            }
            if (at != bytes.Length)
            {
                throw new JsonException("packed integers end in the middle of one");
            }
            return values;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
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
