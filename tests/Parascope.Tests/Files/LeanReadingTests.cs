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
            PageTables = new LexicalPageTableScan([],
                [new LexicalDeclaration("pt_entry_t", "pte", 1, false, 3), new LexicalDeclaration("pt_entry_t", "ptes", 0, true, -1)],
                [("pt_entry_t", "uint64_t"), ("pd_entry_t", null!)]),
        },
    ]);

    private static string Plain(LexicalScanFile value) => JsonSerializer.Serialize(value, LexicalScanJson.Default.LexicalScanFile);

    [Fact]
    public void Records_written_as_rows_read_back_as_written_with_a_null_in_a_pair()
    {
        var file = Declarations();

        var read = LeanReading.ReadTabled(LeanReading.WriteTabled(file, LexicalScanJson.Default.LexicalScanFile), LexicalScanJson.Default.LexicalScanFile);

        Assert.Equal(Plain(file), Plain(read!));
        Assert.Equal((LexicalDeclaration[])[new("pt_entry_t", "pte", 1, false, 3), new("pt_entry_t", "ptes", 0, true, -1)],
            read!.Entries[0].PageTables!.Declarations.ToArray());
        Assert.Null(read.Entries[0].PageTables!.Typedefs[1].Target);
    }

    [Fact]
    public void A_row_is_an_array_of_the_members_in_order_its_strings_tabled()
    {
        var text = Encoding.UTF8.GetString(LeanReading.WriteTabled(Declarations(), LexicalScanJson.Default.LexicalScanFile));

        // The table: rules, path, digest, pt_entry_t, pte, ptes, uint64_t, pd_entry_t.
        Assert.Contains("[[3,4,1,false,3],[3,5,0,true,-1]]", text, StringComparison.Ordinal);
        Assert.Contains("[[3,6],[7,null]]", text, StringComparison.Ordinal);
    }

    private static LexicalScanFile? ReadDeclarations(string declarations) => LeanReading.ReadTabled(Encoding.UTF8.GetBytes(
        """{"Strings":["rules","p","d","pt_entry_t","pte"],"Value":{"Rules":[0],"Entries":[{"Rules":0,"Path":1,"Digest":2,"PageTables":{"Candidates":[],"Declarations":"""
        + declarations + ""","Typedefs":[]}}]}}"""), LexicalScanJson.Default.LexicalScanFile);

    [Fact]
    public void A_whole_row_is_read()
    {
        Assert.Equal(new LexicalDeclaration("pt_entry_t", "pte", 1, false, 3), ReadDeclarations("[[3,4,1,false,3]]")!.Entries[0].PageTables!.Declarations[0]);
    }

    [Theory]
    [InlineData("[[3,4,1,false]]")]
    [InlineData("[[3,4,1,false,3,9]]")]
    [InlineData("[[3,4,\"x\",false,3]]")]
    [InlineData("[{\"Type\":3,\"Name\":4,\"Pointers\":1,\"Array\":false,\"FunctionId\":3}]")]
    public void A_row_too_short_too_long_of_another_type_or_written_as_an_object_is_refused(string declarations)
    {
        Assert.Throws<JsonException>(() => ReadDeclarations(declarations));
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
