using System.Collections.Immutable;
using Parascope.Detectors;
using Parascope.Graph;
using Parascope.Model;
using Parascope.Planning;
using Parascope.Rules;

namespace Parascope.Results;

/// <summary>
/// Merges the reports of the shards of one scan (scan --shard K/N) into the report of the whole scan. Each unit
/// belongs to exactly one shard, so unit counts add up; a site seen by several shards (an inline in a header)
/// is merged the way <see cref="FindingMerger"/> merges units: arches united, units added, severity the highest,
/// active if any, fingerprints recomputed over the whole. Limits (docs/reports.md): the call graph is per shard, so
/// callers/transitiveCallers/phase of a site take the largest shard's view; health top-10 lists are re-ranked from
/// the shards' top-10s; baseline marks are dropped (compare the merged report with `--baseline` or `diff`).
/// </summary>
public static class ReportMerge
{
    private const int TopCount = 10;

    /// <summary>
    /// The merge of shards that carry their call graphs (scan --shard writes it): the whole tree's graph is rebuilt
    /// from them and the whole-tree stages run after the merge — callers, phases, the port's interface — so the merged
    /// report is the unsharded one. Shards without a graph (older reports) merge with the per-shard view.
    /// </summary>
    /// <param name="baseline">An earlier report's fingerprints, applied before the plan (isolated scans); null: none.</param>
    public static Checked<ScanResult> Merge(IReadOnlyList<ScanResult> shards, RuleSet rules, HookSet hooks, PortPhases phases,
        IReadOnlySet<string>? baseline = null)
    {
        var merged = Merge(shards, rules.Rules, phases.Phases);
        if (merged.Value is not { } result)
        {
            return merged;
        }
        if (shards.Any(s => s.ShardGraph is null))
        {
            return Checked<ScanResult>.Of(Planned(result, GraphExcerpt.Empty, baseline));
        }
        var graph = CallGraph.FromData(shards.Select(s => s.ShardGraph!));
        result = result with
        {
            Findings = CallGraphImpact.Annotate(result.Findings, graph, phases),
            Suppressed = CallGraphImpact.Annotate(result.Suppressed, graph, phases),
            CallGraph = graph,
        };
        result = PortInterfaceBuilder.Apply(result, rules, hooks, graph, phases);
        return Checked<ScanResult>.Of(Planned(result, Planner.Excerpt(result), baseline));
    }

    private static ScanResult Planned(ScanResult result, GraphExcerpt graph, IReadOnlySet<string>? baseline) =>
        Planner.Apply(baseline is null ? result : Baseline.Apply(result, baseline), graph);

    /// <summary>A rule-set digest as an error message shows it; reports of versions that wrote none do not differ.</summary>
    private static string Short(string digest) => digest.Length == 0 ? "?" : digest[..12];

    public static Checked<ScanResult> Merge(IReadOnlyList<ScanResult> shards, ImmutableArray<Rule> rules, ImmutableArray<PortPhase> phases)
    {
        if (shards.Count == 0)
        {
            return new InputError("nothing to merge");
        }
        var first = shards[0];
        foreach (var shard in shards.Skip(1))
        {
            // Name the first thing that differs: two shards of different targets have the same root.
            var differs = new (string Name, string First, string Other)[]
            {
                ("root", first.Root, shard.Root),
                ("arches", string.Join(",", first.Arches), string.Join(",", shard.Arches)),
                ("target", first.Target.Name(), shard.Target.Name()),
                ("profile", first.Profile, shard.Profile),
                ("tool version", first.ToolVersion, shard.ToolVersion),
                ("rule set", Short(first.RulesDigest), Short(shard.RulesDigest)),
            }.FirstOrDefault(d => d.First != d.Other);
            if (differs.Name is not null)
            {
                return new InputError($"the reports are not shards of one scan: their {differs.Name} differs ({differs.First} vs {differs.Other})");
            }
            if (shard.Libclang is not null && first.Libclang is not null && shard.Libclang != first.Libclang)
            {
                // Different libclangs give different findings (docs/libclang.md): the merge would not be one scan's.
                return new InputError($"the reports were parsed with different libclangs ({first.Libclang.Describe()} vs {shard.Libclang.Describe()})");
            }
        }
        var shardNames = shards.Select(s => s.Shard).Where(s => s is not null).ToList();
        if (shardNames.Distinct(StringComparer.Ordinal).Count() != shardNames.Count)
        {
            return new InputError($"shard {shardNames.GroupBy(s => s).First(g => g.Count() > 1).Key} given twice");
        }
        if (Incomplete(shards) is { } missing)
        {
            return missing;
        }
        var counts = shards.Select(s => s.Health.Counts).ToList();
        var health = new ParseHealth
        {
            Counts = UnitCounts.Sum(counts),
            Variants = shards.Any(s => s.Health.Variants is not null)
                ? UnitCounts.Sum([.. shards.Select(s => s.Health.Variants).OfType<UnitCounts>()])
                : null,
            MissingHeaders = Top(shards.SelectMany(s => s.Health.MissingHeaders)),
            FrequentErrors = Top(shards.SelectMany(s => s.Health.FrequentErrors)),
            Units = shards.SelectMany(s => s.Health.Units).OrderBy(u => u.File, StringComparer.Ordinal).ThenBy(u => u.Arch, StringComparer.Ordinal).ToImmutableArray(),
        };
        // Every unit belongs to one shard: the whole scan's reach of a header function is the sum of the shards'.
        var reach = shards.Where(s => s.ShardGraph is not null).SelectMany(s => s.ShardGraph!.Reach)
            .GroupBy(r => (r.File, r.Function)).ToDictionary(g => g.Key, g => g.Sum(r => r.Units));
        var walks = new BodyWalkers(shards);
        // After the merge, as after a whole scan's detection: a read in one shard, the division by its field in another.
        var divisions = shards.SelectMany(s => s.FieldDivisions).Distinct().ToList();
        // And a wrapper's callers: the calls of it that other shards' units make.
        var wrapperCalls = shards.SelectMany(s => s.WrapperCalls).ToList();
        var findings = Detectors.Platform.FieldDivisionVerdicts.Apply(
            Detectors.PageTables.PageTableDetector.WithWrapperCalls(MergeFindings(walks.Kept(shards, s => s.Findings), reach), wrapperCalls), divisions);
        var calls = Detectors.DriverApi.DriverInventory.HardwareCallsByClass(findings);
        return Checked<ScanResult>.Of(new ScanResult
        {
            ToolVersion = first.ToolVersion,
            Root = first.Root,
            RulesDigest = first.RulesDigest,
            Arches = first.Arches,
            Configurations = [.. shards.SelectMany(s => s.Configurations).Distinct(StringComparer.Ordinal).OrderBy(KernelConfigurations.Rank)],
            Platforms = [.. shards.SelectMany(s => s.Platforms).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            Target = first.Target,
            Profile = first.Profile,
            MachineConfigs = first.MachineConfigs,
            Health = health,
            DurationMs = shards.Sum(s => s.DurationMs),
            Findings = findings,
            Suppressed = Detectors.Platform.FieldDivisionVerdicts.Apply(
                Detectors.PageTables.PageTableDetector.WithWrapperCalls(MergeFindings(walks.Kept(shards, s => s.Suppressed), reach), wrapperCalls), divisions),
            Warnings = shards.SelectMany(s => s.Warnings).Distinct(StringComparer.Ordinal).ToImmutableArray(),
            // One entry per class, as the whole scan's inventory has: the view of the shard that resolved it best (by
            // the AST rather than lexically, then with the longest known lineage, then the first by file and line);
            // its hardware calls counted again over the merged findings (each shard saw only the methods of the units
            // it parsed), its metaclass seen if any shard saw it.
            Drivers = shards.SelectMany(s => s.Drivers).GroupBy(d => d.Name, StringComparer.Ordinal)
                .Select(g => g.OrderBy(d => d.Resolution == "ast" ? 0 : 1).ThenByDescending(d => d.Ancestors.Length)
                        .ThenBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).First()
                    with
                { HardwareCalls = calls.GetValueOrDefault(g.Key, []), MetaClass = g.Any(d => d.MetaClass) })
                .OrderBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).ThenBy(d => d.Name, StringComparer.Ordinal).ToImmutableArray(),
            Rules = rules,
            Phases = phases,
            Libclang = first.Libclang,
        });
    }

    /// <summary>
    /// A merge of some shards is not the scan's report: every report must be a shard (K/N) of the same N, and every K
    /// from 1 to N present.
    /// </summary>
    private static InputError? Incomplete(IReadOnlyList<ScanResult> shards)
    {
        var parsed = shards.Select(s => s.Shard?.Split('/') is [var k, var n] && int.TryParse(k, out var index) && int.TryParse(n, out var count)
            ? (Index: index, Count: count) : ((int Index, int Count)?)null).ToList();
        if (parsed.Any(p => p is null))
        {
            return new InputError("a report given to merge is not a shard of a scan (scan --shard K/N writes one)");
        }
        var counts = parsed.Select(p => p!.Value.Count).Distinct().ToList();
        if (counts.Count > 1)
        {
            return new InputError($"the reports are shards of different splits (of {string.Join(" and ", counts.Order())})");
        }
        var absent = Enumerable.Range(1, counts[0]).Except(parsed.Select(p => p!.Value.Index)).ToList();
        return absent.Count == 0 ? null
            : new InputError($"incomplete shard set: missing {string.Join(", ", absent.Select(k => $"{k}/{counts[0]}"))}");
    }

    /// <summary>
    /// The shards' findings as the whole scan's: a site's units are the sum of the shards' views and at least the units
    /// that reach its function (REACH, summed over the shards), as <see cref="FindingMerger"/> counts them in a whole
    /// scan. A shard that reaches a header body may report no view of a site in it — one only another configuration
    /// compiles, reported by the shards that parse an including unit again in that configuration — yet its units count.
    /// (Each view of a header body's site comes from a unit that reached the body, so no shard counts more than its
    /// reach, and the result is the whole scan's reach.)
    /// </summary>
    private static ImmutableArray<Finding> MergeFindings((List<Finding> Views, ILookup<(string RuleId, string File, int Line), string> Configurations,
        ILookup<(string RuleId, string File, int Line), string> Platforms) shards,
        IReadOnlyDictionary<(string File, string Function), int> reach)
    {
        var findings = shards.Views;
        // A shard that read no unit including a file reports the file's sites as not compiled; when another shard
        // compiled the site, that placeholder is not a view of it, as in an unsharded scan where the file was read.
        var views = Detectors.Instructions.MacroDefinitions.OneRulePerTemplate(findings.Select(f => f with { Baseline = null })).ToList();
        // The placeholder is lexical (`__builtin_ia32_rdtsc` at its name's column) where the compiled view may be elsewhere
        // on its line (where the macro around it starts): a line where some shard compiled the rule has no placeholder, as
        // in a whole scan. Not the whole file: a whole scan keeps the placeholders of a read file's sites that no unit
        // compiled (an arm64 `#define MSR(reg, src)` body read by an x86_64 scan).
        var compiled = views.Where(f => !NotCompiled(f)).Select(f => (f.RuleId, f.File, f.Line)).ToHashSet();
        var all = views
            .GroupBy(f => (f.RuleId, f.File, f.Line, f.Column, f.Detail, f.Context))
            .SelectMany(g =>
            {
                // Which configurations compile the site is the union of every shard's view, whichever copy is kept.
                ImmutableArray<string> configurations = [.. g.SelectMany(f => f.Configurations)
                    .Concat(shards.Configurations[(g.Key.RuleId, g.Key.File, g.Key.Line)]).Distinct(StringComparer.Ordinal)];
                // And which boards.
                ImmutableArray<string> platforms = [.. g.SelectMany(f => f.Platforms)
                    .Concat(shards.Platforms[(g.Key.RuleId, g.Key.File, g.Key.Line)]).Distinct(StringComparer.Ordinal)];
                // And where its macro is used: a configuration's copy of the site (ConfigurationSites.Fold) is left out below
                // beside a compiled view, but a whole scan unites the uses only that configuration's units make.
                // A placeholder's expansions are read lexically, where no unit compiled the file: beside a compiled view, none
                // of the whole scan's; alone, they are (the other arch's header read from its text).
                ImmutableArray<SiteReference> expansions = [.. (g.All(Placeholder) ? g : g.Where(f => !Placeholder(f))).SelectMany(f => f.Expansions).Distinct()];
                // Beside a compiled view, a shard's stand-in for a site none of its units compiled is no view (a whole scan
                // has none where any unit compiled it); a unit's own inactive view (inline asm its preprocessor skipped,
                // as bsd's units skip a MACH_KERNEL_PRIVATE body) is one, and counts its unit as in the whole scan.
                var kept = g.Any(f => f.Active) ? g.Where(f => f.Active || !StandsIn(f))
                    : g.All(NotCompiled) ? (compiled.Contains((g.Key.RuleId, g.Key.File, g.Key.Line)) ? [] : g.Take(1))
                    : g.Where(f => !NotCompiled(f));
                return kept.Select(f => f with { Configurations = configurations, Platforms = platforms, Expansions = expansions });
            })
            .ToList();
        // The graph's view of a site: the shard that saw most of it.
        var impact = all.GroupBy(f => (f.RuleId, f.File, f.Line, f.Column, f.Detail, f.Context))
            .ToDictionary(g => g.Key, g => g.OrderByDescending(f => f.TransitiveCallers ?? -1).ThenByDescending(f => f.Callers ?? -1).First());
        var merged = FindingMerger.Merge(all, reach);
        return merged.Select(f =>
        {
            var best = impact[(f.RuleId, f.File, f.Line, f.Column, f.Detail, f.Context)];
            return f with { Callers = best.Callers, TransitiveCallers = best.TransitiveCallers, Phase = best.Phase ?? f.Phase };
        }).ToImmutableArray();
    }

    /// <summary>
    /// Which shard's walk of each header body the whole scan has. The whole scan walks a body once per arch, in the first
    /// unit in discovery order that reaches it; each shard walks it in its own first unit, whose view may differ (a C++
    /// unit where the whole scan's is C gives another `context`; another unit's macros another `macro`), and counts
    /// that walk's units again. So a shard's views from a walk that is not the whole scan's are left out, and a finding
    /// made only of such views goes — its configurations, which other configurations' parses gave the site's line, pass
    /// to the findings of its rule and line that stay.
    /// </summary>
    private sealed class BodyWalkers
    {
        private readonly Dictionary<(string File, string Function, string Arch), int> _first = new();
        private readonly Dictionary<ScanResult, Dictionary<(string File, string Function, string Arch), int>> _own = new(ReferenceEqualityComparer.Instance);

        public BodyWalkers(IReadOnlyList<ScanResult> shards)
        {
            foreach (var shard in shards.Where(s => s.ShardGraph is not null))
            {
                var own = new Dictionary<(string File, string Function, string Arch), int>();
                foreach (var reached in shard.ShardGraph!.Reach)
                {
                    foreach (var (arch, rank) in reached.Walkers)
                    {
                        var key = (reached.File, reached.Function, arch);
                        own[key] = rank;
                        _first[key] = _first.TryGetValue(key, out var first) ? Math.Min(first, rank) : rank;
                    }
                }
                _own[shard] = own;
            }
        }

        /// <summary>
        /// The shards' findings (FINDINGS of each) without the views of walks that are not the whole scan's (shards of
        /// versions before walks carry none), and the configurations the findings left out gave their rule and line.
        /// </summary>
        public (List<Finding> Views, ILookup<(string RuleId, string File, int Line), string> Configurations,
            ILookup<(string RuleId, string File, int Line), string> Platforms) Kept(IReadOnlyList<ScanResult> shards,
            Func<ScanResult, ImmutableArray<Finding>> findings)
        {
            var kept = new List<Finding>();
            var dropped = new List<Finding>();
            foreach (var shard in shards)
            {
                var own = _own.GetValueOrDefault(shard) ?? [];
                foreach (var finding in findings(shard))
                {
                    var foreign = finding.Walks.Where(w => own.TryGetValue((w.File, w.Function, w.Arch), out var rank) && rank != _first[(w.File, w.Function, w.Arch)]).ToList();
                    var viewUnits = finding.ViewUnits ?? finding.Units;
                    if (foreign.Count == 0)
                    {
                        kept.Add(finding);
                    }
                    else if (foreign.Count == finding.Walks.Length && finding.Walks.Sum(w => w.Units) == viewUnits)
                    {
                        dropped.Add(finding);
                    }
                    else
                    {
                        kept.Add(finding with { ViewUnits = viewUnits - foreign.Sum(w => w.Units), Walks = [.. finding.Walks.Except(foreign)] });
                    }
                }
            }
            // Only what the left-out finding's copies gave (shards of versions before carry no split: all of it).
            return (kept, dropped.SelectMany(f => (f.UnwalkedConfigurations ?? f.Configurations).Select(c => (Key: (f.RuleId, f.File, f.Line), Configuration: c)))
                .ToLookup(p => p.Key, p => p.Configuration),
                dropped.SelectMany(f => (f.UnwalkedPlatforms ?? f.Platforms).Select(c => (Key: (f.RuleId, f.File, f.Line), Platform: c)))
                .ToLookup(p => p.Key, p => p.Platform));
        }
    }

    /// <summary>The instruction detector's mark on a site in a file no unit of the scan read.</summary>
    private static bool NotCompiled(Finding finding) =>
        finding.Properties.TryGetValue("reason", out var reason) && reason == "not-compiled";

    /// <summary>
    /// A site a scan reports only because none of its units compiled it: a file no unit read (<see cref="NotCompiled"/>),
    /// code found lexically where no unit's AST gave it (resolution=lexical), or an inactive view counting no unit (an
    /// asm macro's definition none of the shard's units compiled, another configuration's copy).
    /// </summary>
    private static bool StandsIn(Finding finding) => Placeholder(finding) || !finding.Active && (finding.ViewUnits ?? finding.Units) == 0;

    /// <summary>A site no unit of the shard compiled, read from the text: a file no unit read, or code no unit's AST gave.</summary>
    private static bool Placeholder(Finding finding) =>
        NotCompiled(finding) || finding.Properties.TryGetValue("resolution", out var resolution) && resolution == "lexical";

    private static ImmutableArray<CountedText> Top(IEnumerable<CountedText> items) =>
        items.GroupBy(i => i.Text, StringComparer.Ordinal).Select(g => new CountedText(g.Key, g.Sum(i => i.Count)))
            .OrderByDescending(i => i.Count).ThenBy(i => i.Text, StringComparer.Ordinal).Take(TopCount).ToImmutableArray();
}
