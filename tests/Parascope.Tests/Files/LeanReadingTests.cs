using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Parascope.Caching;
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
