using System.Text.Json;
using NJsonSchema;
using Parascope.Model;
using Parascope.Reports;
using Parascope.Results;

namespace Parascope.Tests.Reports;

/// <summary>docs/report.schema.json describes the JSON report exactly (no field unknown to it), on real and constructed results.</summary>
public sealed class ReportSchemaTests(SampleScan sample) : IClassFixture<SampleScan>
{
    private static async Task AssertValid(ScanResult result)
    {
        var schema = await JsonSchema.FromFileAsync(Path.Combine(ReportTrees.RepositoryRoot, "docs", "report.schema.json"));
        var errors = schema.Validate(ReportWriter.ToText(result, ReportFormat.Json));
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind} {e.Property}")));
    }

    [Fact]
    public async Task The_sample_report_matches_the_schema() => await AssertValid(sample.Result);

    [Fact]
    public async Task A_report_with_units_baseline_suppressions_and_a_shard_matches_the_schema()
    {
        var outcome = ScanPipeline.Run(new ScanRequest { Root = sample.Root, Jobs = 1, IncludeUnits = true, Shard = (1, 2) });
        Assert.Null(outcome.Error);
        // With the shard's call graph, as scan --shard writes it (its header bodies' calls and reach).
        // And a field division, as a shard with a platform read's division writes it (the sample has none).
        var result = Suppressions.Apply(sample.Result with
        {
            Health = outcome.Result!.Health,
            Shard = "1/2",
            ShardGraph = outcome.Result.ShardGraph,
            FieldDivisions = [new FieldDivision("c:@SA@tsc_leaf_t@FI@denominator", "x86_64", "osfmk/i386/tsc.c", 207, "tsc_init", "refFreq * N / M", "M", null)],
        }, [new IgnoreEntry("iokit", "*", "", "t:1")]);
        Assert.NotEmpty(result.ShardGraph!.Reach);
        result = Baseline.Apply(result, new HashSet<string>([result.Findings[0].Fingerprint]));
        Assert.NotEmpty(result.Health.Units);
        Assert.NotEmpty(result.Suppressed);
        await AssertValid(result);
    }

    [Fact]
    public async Task A_report_with_boards_matches_the_schema() =>
        await AssertValid(sample.Result with
        {
            Platforms = ["T6000", "T6041", "VMAPPLE"],
            Findings = [.. sample.Result.Findings.Select((f, i) => f with { Platforms = i % 2 == 0 ? ["T6000"] : [] })],
        });

    [Fact]
    public async Task The_schema_rejects_a_field_it_does_not_describe()
    {
        var schema = await JsonSchema.FromFileAsync(Path.Combine(ReportTrees.RepositoryRoot, "docs", "report.schema.json"));
        var text = ReportWriter.ToText(sample.Result, ReportFormat.Json);
        var changed = text.Replace("\"schemaVersion\": 1,", "\"schemaVersion\": 1,\n  \"surprise\": true,", StringComparison.Ordinal);
        Assert.NotEqual(text, changed);
        Assert.NotEmpty(schema.Validate(changed));
    }

    [Fact]
    public void The_plan_section_gives_an_effort_for_every_target()
    {
        using var document = JsonDocument.Parse(ReportWriter.ToText(sample.Result, ReportFormat.Json));
        var plan = document.RootElement.GetProperty("plan");
        Assert.Equal(["xen-pv", "xen-pvh", "xen-hvm"], plan.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("target").GetString()));
        Assert.True(plan.GetProperty("totals").GetProperty("effort").GetDouble() > 0);
        Assert.Contains(plan.GetProperty("bySubsystem").EnumerateArray(), s => s.GetProperty("name").GetString() == "osfmk");
    }
}
