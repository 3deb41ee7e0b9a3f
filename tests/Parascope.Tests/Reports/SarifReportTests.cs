using System.Text.Json;
using NJsonSchema;
using Parascope.Reports;
using Parascope.Results;

namespace Parascope.Tests.Reports;

public sealed class SarifReportTests(SampleScan sample) : IClassFixture<SampleScan>
{
    private JsonElement Run(out JsonDocument document)
    {
        document = JsonDocument.Parse(ReportWriter.ToText(sample.Result, ReportFormat.Sarif));
        return document.RootElement.GetProperty("runs")[0];
    }

    [Fact]
    public async Task The_sarif_report_of_the_sample_tree_is_valid_against_the_official_2_1_0_schema()
    {
        Assert.NotEmpty(sample.Result.Findings);
        var schema = await JsonSchema.FromFileAsync(ReportTrees.SarifSchema);
        var errors = schema.Validate(ReportWriter.ToText(sample.Result, ReportFormat.Sarif));
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Fact]
    public async Task A_sarif_report_with_suppressions_and_a_baseline_is_valid_too()
    {
        var suppressed = Suppressions.Apply(sample.Result, [new IgnoreEntry("osfmk/**", "x86.*", "tested elsewhere", "test:1")]);
        var compared = Baseline.Apply(suppressed, new HashSet<string>([suppressed.Findings[0].Fingerprint, "gone"]));
        var text = ReportWriter.ToText(compared, ReportFormat.Sarif);
        var schema = await JsonSchema.FromFileAsync(ReportTrees.SarifSchema);
        var errors = schema.Validate(text);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));
        using var document = JsonDocument.Parse(text);
        var results = document.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        Assert.Contains(results, r => r.TryGetProperty("suppressions", out var s) && s[0].GetProperty("justification").GetString() == "tested elsewhere");
        Assert.Contains(results, r => r.TryGetProperty("baselineState", out var b) && b.GetString() == "unchanged");
    }

    [Fact]
    public void Every_rule_is_a_full_descriptor_read_from_the_rule_set()
    {
        var run = Run(out var document);
        using var _ = document;
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().ToList();
        Assert.Equal(sample.Result.Rules.Length, rules.Count);
        var lgdt = rules.Single(r => r.GetProperty("id").GetString() == "x86.lgdt");
        var rule = sample.Result.Rules.Single(r => r.Id == "x86.lgdt");
        Assert.Equal("X86Lgdt", lgdt.GetProperty("name").GetString());
        Assert.Equal(rule.Title, lgdt.GetProperty("shortDescription").GetProperty("text").GetString());
        Assert.Equal(rule.Description, lgdt.GetProperty("fullDescription").GetProperty("text").GetString());
        Assert.Contains(rule.For(Model.XenTarget.XenPv).Action, lgdt.GetProperty("help").GetProperty("text").GetString());
        Assert.Equal("error", lgdt.GetProperty("defaultConfiguration").GetProperty("level").GetString());
    }

    [Fact]
    public void Every_rule_has_an_absolute_help_uri_and_the_driver_an_information_uri()
    {
        var run = Run(out var document);
        using var owned = document;
        var driver = run.GetProperty("tool").GetProperty("driver");
        Assert.True(Uri.TryCreate(driver.GetProperty("informationUri").GetString(), UriKind.Absolute, out _));
        foreach (var descriptor in driver.GetProperty("rules").EnumerateArray())
        {
            var id = descriptor.GetProperty("id").GetString()!;
            var helpUri = descriptor.GetProperty("helpUri").GetString();
            Assert.True(Uri.TryCreate(helpUri, UriKind.Absolute, out _), $"{id}: helpUri '{helpUri}' is not absolute");
            Assert.Equal(sample.Result.Rules.Single(r => r.Id == id).HelpUri, helpUri);
            Assert.EndsWith("docs/rules.md#" + id, helpUri, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Results_point_at_relative_uris_under_SRCROOT_with_a_region_and_a_fingerprint()
    {
        var run = Run(out var document);
        using var _ = document;
        Assert.Equal(new Uri(sample.Root.TrimEnd('/') + "/").AbsoluteUri, run.GetProperty("originalUriBaseIds").GetProperty("SRCROOT").GetProperty("uri").GetString());
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(sample.Result.Findings.Length, results.Count);
        for (var i = 0; i < results.Count; i++)
        {
            var finding = sample.Result.Findings[i];
            var location = results[i].GetProperty("locations")[0].GetProperty("physicalLocation");
            Assert.Equal(finding.File, location.GetProperty("artifactLocation").GetProperty("uri").GetString());
            Assert.Equal("SRCROOT", location.GetProperty("artifactLocation").GetProperty("uriBaseId").GetString());
            Assert.Equal(finding.Line, location.GetProperty("region").GetProperty("startLine").GetInt32());
            Assert.Equal(finding.Fingerprint, results[i].GetProperty("partialFingerprints").GetProperty("parascope/v1").GetString());
            Assert.Equal(finding.Severity.ToString().ToLowerInvariant(), results[i].GetProperty("level").GetString());
            Assert.Contains(finding.Detail, results[i].GetProperty("message").GetProperty("text").GetString());
        }
    }

    [Fact]
    public void Fingerprints_survive_lines_added_above_the_sites()
    {
        using var tree = new TempTree();
        ReportTrees.CopySample(tree);
        var before = ReportTrees.Scan(tree.Root);
        var file = Path.Combine(tree.Root, "osfmk", "i386", "pmap_mini.c");
        File.WriteAllText(file, "/* an unrelated comment\n   over two lines */\n\n" + File.ReadAllText(file));
        var after = ReportTrees.Scan(tree.Root);
        Assert.Equal(before.Findings.Select(f => f.Fingerprint).Order(), after.Findings.Select(f => f.Fingerprint).Order());
        Assert.NotEqual(before.Findings.Where(f => f.File.EndsWith("pmap_mini.c")).Select(f => f.Line), after.Findings.Where(f => f.File.EndsWith("pmap_mini.c")).Select(f => f.Line));
    }
}

public sealed class SarifSchemaCheckTests
{
    [Fact]
    public async Task The_schema_check_rejects_a_result_with_a_bad_level()
    {
        var schema = await JsonSchema.FromFileAsync(ReportTrees.SarifSchema);
        var broken = """{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"level":"fatal","message":{"text":"m"}}]}]}""";
        Assert.NotEmpty(schema.Validate(broken));
    }
}
