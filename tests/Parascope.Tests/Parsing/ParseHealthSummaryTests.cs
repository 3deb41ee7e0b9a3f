using Parascope.Clang;
using Parascope.Graph;
using Parascope.Model;
using Parascope.Parsing;
using Parascope.Results;
using static Parascope.Tests.Reports.ConstructedResults;

namespace Parascope.Tests.Parsing;

public sealed class ParseHealthSummaryTests
{
    /// <summary>A unit with one error of each given kind (`unknown type name 'tN'` folds to one kind per N).</summary>
    private static ParsedUnit UnitWith(string file, params string[] messages) => new()
    {
        Unit = new SourceUnit { Path = "/tree/" + file, RelativePath = file, Language = SourceLanguage.C, Arch = "x86_64" },
        Status = UnitStatus.WithErrors,
        Errors = [.. messages.Select(m => new ParseDiagnostic(DiagnosticLevel.Error, m, "/tree/" + file, 1, 1))],
    };

    /// <summary>
    /// Each shard sees ten kinds of error 4 times (other kinds in each) and one rare kind 3 times, below its own top 10;
    /// over the whole scan the rare kind is the most frequent (6). A shard that kept only its top 10 would lose it.
    /// </summary>
    [Fact]
    public void Shards_keep_every_error_count_so_the_merged_top_10_is_the_whole_scans()
    {
        static string Kind(int k) => $"use of undeclared identifier in form {k}";
        static ParsedUnit[] Units(string prefix, int firstKind) =>
        [
            .. Enumerable.Range(0, 3).Select(i => UnitWith($"{prefix}/rare{i}.c", "expected a semicolon after rare")),
            .. Enumerable.Range(firstKind, 10).SelectMany(k => Enumerable.Range(0, 4).Select(i => UnitWith($"{prefix}/k{k}_{i}.c", Kind(k)))),
        ];
        var whole = ParseHealthSummary.From([.. Units("a", 0), .. Units("b", 10)], includeUnits: false);
        var shards = new[] { Units("a", 0), Units("b", 10) }
            .Select((units, k) => Result([]) with { Shard = $"{k + 1}/2", Health = ParseHealthSummary.From(units, false, allCounts: true) })
            .ToList();

        var merged = ReportMerge.Merge(shards, [], PortPhases.BuiltIn().Phases).Value!;

        Assert.Equal(new CountedText("expected a semicolon after rare", 6), whole.FrequentErrors[0]);
        Assert.Equal(string.Join("\n", whole.FrequentErrors), string.Join("\n", merged.Health.FrequentErrors));
        Assert.Equal(11, shards[1].Health.FrequentErrors.Length);
    }
}
