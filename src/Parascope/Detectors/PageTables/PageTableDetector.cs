using System.Collections.Immutable;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Detectors.PageTables;

/// <summary>
/// Page-table writes and MMU control (rules/page-tables.yaml): PTE stores found through types, atomic PTE
/// updates, PTE-store helper calls, automatically found store wrappers (reported once, callers in
/// <see cref="Finding.Expansions"/>), frame conversions, MMU-control wrappers and physical-address conversions.
/// </summary>
public sealed class PageTableDetector : IDetector
{
    public string Name => "page-tables";

    private readonly PageTableRules _rules;
    private readonly LexicalPageTableScans _scans;

    /// <summary>Compiles the page-table rules once, for every unit of the scan.</summary>
    public PageTableDetector(RuleSet rules)
    {
        _rules = PageTableRules.From(rules);
        _scans = new LexicalPageTableScans(_rules);
    }

    public IUnitCollector CreateCollector(UnitScope scope) => new PageTableCollector(_rules, _scans, scope);

    /// <summary>The collector scans every file a C unit read at the unit's end; a cached unit's files are scanned here.</summary>
    public void Restore(ParsedUnit unit, UnitScope scope)
    {
        // As the collector does at a unit's end: an assembly unit's files are not scanned for C stores (they were, for a
        // cached one only: the first re-scan after a cold one made a scan per .s unit, ~95 on xnu-792).
        if (unit.Unit.Language == SourceLanguage.Assembly)
        {
            return;
        }
        foreach (var file in unit.IncludedFiles)
        {
            _scans.Get(scope, file);
        }
    }

    public void Detect(DetectionContext context, FindingSink sink)
    {
        var rules = _rules;
        var all = context.FactsOf<PageTableFacts>().ToList();
        foreach (var (unit, facts) in all)
        {
            // A listed macro and the listed call it expands to are one site: keep the macro.
            var macroAt = facts.Sites.Where(s => s.FromMacro).Select(s => (s.RuleId, s.File, s.Line, s.Column)).ToHashSet();
            foreach (var site in facts.Sites)
            {
                if (!site.FromMacro && macroAt.Contains((site.RuleId, site.File, site.Line, site.Column)))
                {
                    continue;
                }
                var rule = context.Rules[site.RuleId];
                var properties = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
                properties["form"] = site.Form;
                if (site.Name is not null)
                {
                    properties[site.Form is "call" or "macro" or "mask" or "bulk" or "atomic" ? "name" : "type"] = site.Name;
                }
                if (site.Instruction is not null)
                {
                    properties["instruction"] = site.Instruction;
                }
                var finding = context.FindingOf(rule, site.File, site.Line, site.Column, facts.Context,
                    Quote(context, site.File, site.Line, site.Column, site.EndColumn)) with
                {
                    Function = site.Function,
                    Arches = [facts.Arch],
                    Subcategory = site.Form,
                    // A macro's expansion is seen by every unit that reads the header (a top-level preprocessing entity): no walk's.
                    Walks = site.FromMacro ? [] : context.WalkOf(unit, site.File, site.Function),
                };
                if (site.Origin is { } origin)
                {
                    // Written in a macro body: one finding at the #define, each use an expansion (FindingMerger unites them).
                    properties["macro"] = origin.Macro;
                    finding = finding.AtMacroDefinition(origin, Quote(context, origin.File, origin.Line, origin.Column, origin.EndColumn));
                }
                sink.Add(finding with { Properties = properties.ToImmutable() });
            }
        }
        AddWrappers(context, sink, rules, all.Select(pair => pair.Facts).ToList());
        AddInactive(context, sink, all.Select(pair => pair.Facts).ToList());
    }

    /// <summary>
    /// Stores in code no unit compiled (another configuration's branch, `#if 0`), read lexically: reported
    /// active: false with the branch's condition, marked resolution=lexical as the instruction detector's are.
    /// </summary>
    private void AddInactive(DetectionContext context, FindingSink sink, List<PageTableFacts> facts)
    {
        var uses = facts.SelectMany(f => f.LexicalUses.Select(u => (Use: u, f.Arch, f.Context))).GroupBy(u => u.Use.File, StringComparer.Ordinal).ToList();
        if (uses.Count == 0)
        {
            return;
        }
        // The candidates no unit compiled, first: the tree's declarations are indexed for their names alone (indexing
        // every file-level name of xnu-11417, ~0.2 million declarations, was ~55 ms of each re-scan).
        var inactive = uses.Select(group => (Group: group, Candidates: NoneCompiled(_scans.All[group.Key].Candidates, [.. group.Select(u => u.Use.Compiled)])))
            .ToList();
        var stores = new LexicalPageTableStores(_rules, _scans.All, inactive.SelectMany(f => f.Candidates).Select(c => c.Name));
        foreach (var (group, candidates) in inactive)
        {
            var file = group.Key;
            var arches = group.Select(u => u.Arch).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();
            var sourceContext = file.EndsWith(".c", StringComparison.Ordinal) || file.EndsWith(".h", StringComparison.Ordinal) ? SourceContext.C : group.First().Context;
            foreach (var candidate in candidates)
            {
                if (stores.StoredType(file, candidate) is not { } stored)
                {
                    continue;
                }
                var rule = _rules.OfKind(candidate.Kind).FirstOrDefault();
                if (rule is null)
                {
                    continue;
                }
                var properties = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
                properties["form"] = candidate.Form;
                properties["resolution"] = "lexical";
                if (candidate.Callee is not null)
                {
                    properties["name"] = candidate.Callee;
                }
                if (candidate.Shape != LexicalShape.Helper)
                {
                    properties["type"] = stored;
                }
                sink.Add(context.FindingOf(rule.Rule, file, candidate.Line, candidate.Column, sourceContext,
                    Quote(context, file, candidate.Line, candidate.Column, candidate.EndColumn)) with
                {
                    Function = candidate.Function,
                    Active = false,
                    Arches = arches,
                    Condition = candidate.Condition,
                    Subcategory = candidate.Form,
                    Properties = properties.ToImmutable(),
                });
            }
        }
    }

    /// <summary>The CANDIDATES of a file that none of its units compiled (COMPILED: each unit's flag per candidate).</summary>
    private static List<LexicalStoreCandidate> NoneCompiled(ImmutableArray<LexicalStoreCandidate> candidates, ImmutableArray<bool>[] compiled)
    {
        var left = new List<LexicalStoreCandidate>();
        for (var i = 0; i < candidates.Length; i++)
        {
            var anyCompiled = false;
            foreach (var flags in compiled)
            {
                if (flags[i])
                {
                    anyCompiled = true;
                    break;
                }
            }
            if (!anyCompiled)
            {
                left.Add(candidates[i]);
            }
        }
        return left;
    }

    /// <summary>
    /// One finding per wrapper definition, its callers from every unit as expansions. A function the helper
    /// rules already list is not reported again: its calls are findings of their own.
    /// </summary>
    private static void AddWrappers(DetectionContext context, FindingSink sink, PageTableRules rules, List<PageTableFacts> facts)
    {
        var wrapperRule = rules.OfKind(PageTableKind.Wrapper).FirstOrDefault();
        if (wrapperRule is null)
        {
            return;
        }
        // A function the rules list as a helper is no wrapper.
        var definitions = facts.SelectMany(f => f.Wrappers.Select(w => (Wrapper: w, f.Arch, f.Context)))
            .Where(d => rules.FunctionRule(PageTableKind.Helper, d.Wrapper.Name) is null)
            .GroupBy(d => (d.Wrapper.Name, d.Wrapper.File, d.Wrapper.Line))
            .ToList();
        if (definitions.Count == 0)
        {
            return;
        }
        var names = definitions.Select(g => g.Key.Name).ToHashSet(StringComparer.Ordinal);
        var callers = facts.SelectMany(f => f.Calls).Where(c => names.Contains(c.Callee)).ToLookup(c => c.Callee, StringComparer.Ordinal);
        foreach (var group in definitions)
        {
            var (wrapper, _, sourceContext) = group.First();
            var finding = context.FindingOf(wrapperRule.Rule, wrapper.File, wrapper.Line, wrapper.Column, sourceContext,
                $"{wrapper.Name}: stores {wrapper.Type} through parameter '{wrapper.Parameter}'") with
            {
                Function = wrapper.Name,
                Arches = group.Select(d => d.Arch).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray(),
                Subcategory = WrapperSubcategory,
                Properties = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
                {
                    ["parameter"] = wrapper.Parameter,
                    ["type"] = wrapper.Type,
                }),
            };
            sink.Add(WithCallers(finding, callers[wrapper.Name].Select(Caller)));
        }
    }

    /// <summary>The subcategory of a store wrapper's own finding (its callers are its expansions).</summary>
    public const string WrapperSubcategory = "wrapper";

    /// <summary>Every call the units of CONTEXT make of a function that may be a store wrapper.</summary>
    public static IEnumerable<WrapperCall> Calls(DetectionContext context) =>
        context.FactsOf<PageTableFacts>().SelectMany(pair => pair.Facts.Calls);

    /// <summary>
    /// The calls a shard carries to `merge` (<see cref="ScanResult.WrapperCalls"/>): those of CALLS whose callee has no
    /// wrapper finding among FINDINGS — the wrapper may be defined in another shard, whose finding gains them after the
    /// merge (<see cref="WithWrapperCalls"/>). Sorted.
    /// </summary>
    public static ImmutableArray<WrapperCall> ForeignWrapperCalls(IEnumerable<Finding> findings, IEnumerable<WrapperCall> calls)
    {
        var wrappers = findings.Where(IsStoreWrapper).Select(f => f.Function!).ToHashSet(StringComparer.Ordinal);
        return [.. calls.Where(c => !wrappers.Contains(c.Callee)).Distinct()
            .OrderBy(c => c.Callee, StringComparer.Ordinal).ThenBy(c => c.File, StringComparer.Ordinal).ThenBy(c => c.Line)
            .ThenBy(c => c.Function, StringComparer.Ordinal)];
    }

    private static bool IsStoreWrapper(Finding f) => f.Category == FindingCategory.PageTable && f.Subcategory == WrapperSubcategory && f.Function is not null;

    /// <summary>
    /// FINDINGS with each store wrapper's callers completed from CALLS: every call of its name, those of units the
    /// detection of the wrapper did not see (another configuration's or board's parse; in `merge`, another shard's).
    /// </summary>
    public static ImmutableArray<Finding> WithWrapperCalls(ImmutableArray<Finding> findings, IEnumerable<WrapperCall> calls)
    {
        var byCallee = calls.ToLookup(c => c.Callee, StringComparer.Ordinal);
        return [.. findings.Select(f => IsStoreWrapper(f) ? WithCallers(f, f.Expansions.Concat(byCallee[f.Function!].Select(Caller))) : f)];
    }

    private static SiteReference Caller(WrapperCall call) => new(call.File, call.Line, call.Function);

    /// <summary>A wrapper's finding with CALLERS as its expansions, in report order, and their count.</summary>
    private static Finding WithCallers(Finding wrapper, IEnumerable<SiteReference> callers)
    {
        ImmutableArray<SiteReference> sites = [.. callers.Distinct()
            .OrderBy(r => r.File, StringComparer.Ordinal).ThenBy(r => r.Line).ThenBy(r => r.Function, StringComparer.Ordinal)];
        // The caller count lives in properties: a new caller elsewhere must not change this finding's fingerprint.
        return wrapper with
        {
            Expansions = sites,
            Properties = wrapper.Properties.SetItem("callers", sites.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
    }

    /// <summary>The matched text when it is on one line, else the rest of its first line.</summary>
    private static string Quote(DetectionContext context, string file, int line, int column, int endColumn)
    {
        var text = context.Texts.Get(Path.Combine(context.Root, file));
        if (text is null)
        {
            return string.Empty;
        }
        var content = text.Line(line);
        var start = Math.Clamp(column - 1, 0, content.Length);
        var end = endColumn > column ? Math.Clamp(endColumn - 1, start, content.Length) : content.Length;
        var quoted = content[start..end].Trim().ToString();
        return quoted.Length > 160 ? quoted[..160] : quoted;
    }
}
