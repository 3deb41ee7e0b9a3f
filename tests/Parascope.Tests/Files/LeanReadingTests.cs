using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Parascope.Caching;
using Parascope.Detectors.PageTables;
using Parascope.Files;
using Parascope.Model;
using Xunit;

namespace Parascope.Tests.Files;

public sealed class LeanReadingTests
{
    private static Finding Site(int line, string file, ImmutableSortedDictionary<string, string> properties) =>
        Reports.ConstructedResults.Finding("x86.cr-write", file, line, line % 2 == 0 ? null : "set_cr3") with
        {
            Action = "Replace with a hypercall (the same long text in every finding).",
            Properties = properties,
        };

    private static List<ConfigurationGroupEntry> Groups()
    {
        var properties = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [new KeyValuePair<string, string>("register", "cr3"), new KeyValuePair<string, string>("mnemonic", "mov")]);
        ImmutableArray<Finding> findings = [.. Enumerable.Range(1, 40).Select(line => Site(line, line < 20 ? "osfmk/i386/proc_reg.h" : "osfmk/i386/pmap.c", properties))];
        return [new ConfigurationGroupEntry("\tDEBUG", ["k1", "k2"], "listing", ["/t/osfmk/i386/proc_reg.h"], "digest",
            new ConfigurationGroupResult(findings, [], new UnitCounts(2, 2, 0, 0)))];
    }

    private static string Plain(List<ConfigurationGroupEntry> value) =>
        JsonSerializer.Serialize(value, ConfigurationGroupJson.Default.ListConfigurationGroupEntry);

    [Fact]
    public void A_tabled_value_reads_back_as_the_value_written()
    {
        var groups = Groups();

        var read = LeanReading.ReadTabled(LeanReading.WriteTabled(groups, ConfigurationGroupJson.Default.ListConfigurationGroupEntry),
            ConfigurationGroupJson.Default.ListConfigurationGroupEntry);

        Assert.Equal(Plain(groups), Plain(read!));
    }

    [Fact]
    public void A_tabled_value_writes_each_distinct_string_and_dictionary_key_once()
    {
        var text = Encoding.UTF8.GetString(LeanReading.WriteTabled(Groups(), ConfigurationGroupJson.Default.ListConfigurationGroupEntry));

        foreach (var repeated in new[] { "\"Replace with a hypercall (the same long text in every finding).\"", "\"osfmk/i386/pmap.c\"", "\"set_cr3\"", "\"register\"", "\"cr3\"" })
        {
            Assert.Equal(1, CountOf(text, repeated));
        }
    }

    [Theory]
    [InlineData("""{"Strings":["a"],"Value":[{"Group":7}]}""")]
    [InlineData("""{"Strings":["a"],"Value":[{"Group":"a"}]}""")]
    [InlineData("""[{"Group":"a"}]""")]
    [InlineData("""{"Value":[{"Group":0}],"Strings":["a"]}""")]
    [InlineData("""{"Strings":["a"],"Value":[{"Group":0}],"Other":1}""")]
    public void Bytes_not_written_as_a_tabled_value_or_naming_a_string_out_of_the_table_are_refused(string json)
    {
        Assert.Throws<JsonException>(() => LeanReading.ReadTabled(Encoding.UTF8.GetBytes(json), ConfigurationGroupJson.Default.ListConfigurationGroupEntry));
    }

    private static LexicalScanFile Declarations() => new(["rules"],
    [
        new LexicalScanEntry(0, "osfmk/i386/pmap.c", "digest")
        {
            PageTables = new LexicalPageTableScan(
                [new LexicalStoreCandidate(12, 5, 30, Parascope.Detectors.PageTables.PageTableKind.Store, "*pte = v", LexicalShape.Deref, "pte", null, 3, "pmap_enter", "PMAP_CS")],
                [new LexicalDeclaration("pt_entry_t", "pte", 1, false, 3), new LexicalDeclaration("pt_entry_t", "ptes", 0, true, -1)],
                [("pt_entry_t", "uint64_t"), ("pd_entry_t", null!)]),
        },
    ]);

    private static string Plain(LexicalScanFile value) => JsonSerializer.Serialize(value, LexicalScanJson.Default.LexicalScanFile);

    [Fact]
    public void Packed_records_read_back_as_written_with_nulls()
    {
        var file = Declarations();

        var read = LeanReading.ReadTabled(LeanReading.WriteTabled(file, LexicalScanJson.Default.LexicalScanFile), LexicalScanJson.Default.LexicalScanFile);

        Assert.Equal(Plain(file), Plain(read!));
        var scan = read!.Entries[0].PageTables!;
        Assert.Equal((LexicalDeclaration[])[new("pt_entry_t", "pte", 1, false, 3), new("pt_entry_t", "ptes", 0, true, -1)], scan.Declarations.ToArray());
        Assert.Equal(file.Entries[0].PageTables!.Candidates[0], scan.Candidates[0]);
        Assert.Null(scan.Candidates[0].Callee);
        Assert.Null(scan.Typedefs[1].Target);
    }

    [Fact]
    public void In_a_tabled_value_records_are_packed_in_one_string_and_pairs_are_rows()
    {
        var text = Encoding.UTF8.GetString(LeanReading.WriteTabled(Declarations(), LexicalScanJson.Default.LexicalScanFile));

        // The table: rules, path, digest, the candidate's strings (3-6, pte at 4), then pt_entry_t, ptes, uint64_t,
        // pd_entry_t (7-10); a packed string is its index plus one.
        Assert.Contains("\"Declarations\":\"" + PackedText(8, 5, 1, 0, 3, 8, 9, 0, 1, -1) + "\"", text, StringComparison.Ordinal);
        Assert.Contains("\"Candidates\":\"" + PackedText(12, 5, 30, 0, 4, 0, 5, 0, 3, 6, 7) + "\"", text, StringComparison.Ordinal);
        Assert.Contains("[[7,9],[10,null]]", text, StringComparison.Ordinal);
    }

    /// <summary>VALUES packed as the store packs them: zigzag varints, base64.</summary>
    private static string PackedText(params int[] values)
    {
        var bytes = new List<byte>();
        foreach (var value in values)
        {
            var zigzag = (uint)((value << 1) ^ (value >> 31));
            for (; zigzag >= 0x80; zigzag >>= 7)
            {
                bytes.Add((byte)(zigzag | 0x80));
            }
            bytes.Add((byte)zigzag);
        }
        return Convert.ToBase64String([.. bytes]);
    }

    private static LexicalScanFile? ReadDeclarations(string declarations) => LeanReading.ReadTabled(Encoding.UTF8.GetBytes(
        """{"Strings":["rules","p","d","pt_entry_t","pte"],"Value":{"Rules":[0],"Entries":[{"Rules":0,"Path":1,"Digest":2,"PageTables":{"Candidates":"","Declarations":"""
        + declarations + ""","Typedefs":[]}}]}}"""), LexicalScanJson.Default.LexicalScanFile);

    [Fact]
    public void A_whole_packed_record_is_read()
    {
        Assert.Equal(new LexicalDeclaration("pt_entry_t", "pte", 1, false, 3),
            ReadDeclarations("\"" + PackedText(4, 5, 1, 0, 3) + "\"")!.Entries[0].PageTables!.Declarations[0]);
    }

    [Theory]
    [InlineData(new[] { 4, 5, 1, 0 })]
    [InlineData(new[] { 4, 5, 1, 0, 3, 4 })]
    [InlineData(new[] { 4, 9, 1, 0, 3 })]
    [InlineData(new[] { 4, 0, 1, 0, 3 })]
    [InlineData(new[] { 4, 5, 1, 2, 3 })]
    [InlineData(new[] { 4, 5, 300, 0, 3 })]
    public void Packed_records_of_the_wrong_width_naming_no_string_or_with_a_member_out_of_range_are_refused(int[] values)
    {
        Assert.Throws<JsonException>(() => ReadDeclarations("\"" + PackedText(values) + "\""));
    }

    [Fact]
    public void Records_written_as_rows_in_a_tabled_value_are_refused()
    {
        Assert.Throws<JsonException>(() => ReadDeclarations("[[3,4,1,false,3]]"));
    }

    private static readonly JsonSerializerOptions Packed = new() { Converters = { new LeanReading.Int32ArrayConverter() } };

    [Fact]
    public void Integer_arrays_come_back_as_written_packed_in_one_string()
    {
        int[] values = [0, 1, -1, 63, 64, -65, 127, 128, 300, 16_384, int.MaxValue, int.MinValue];

        var json = JsonSerializer.Serialize(values, Packed);

        Assert.StartsWith("\"", json, StringComparison.Ordinal);
        Assert.Equal(values, JsonSerializer.Deserialize<int[]>(json, Packed));
        Assert.Empty(JsonSerializer.Deserialize<int[]>(JsonSerializer.Serialize(Array.Empty<int>(), Packed), Packed)!);
    }

    [Theory]
    [InlineData("\"gA==\"")]
    [InlineData("\"//////8B\"")]
    [InlineData("\"not base64!\"")]
    [InlineData("[1,2]")]
    public void Packed_integers_cut_short_too_long_not_base64_or_as_numbers_are_refused(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<int[]>(json, Packed));
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
