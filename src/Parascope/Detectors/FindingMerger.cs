using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Parascope.Model;

namespace Parascope.Detectors;

/// <summary>
/// Turns every unit's and arch's report of a site into one finding: arches united, units counted, a site
/// active if any configuration compiles it. Then gives each finding its fingerprint and the report order.
/// </summary>
public static class FindingMerger
{
    public static ImmutableArray<Finding> Merge(IEnumerable<Finding> findings, IReadOnlyDictionary<(string File, string Function), int> reach)
    {
        // The groups merged in parallel, in the order the sequential merge gives (the sort below is not stable): the
        // merge runs while the other cores have nothing to do (~0.15 s of a re-scan of xnu-11417 on one core before).
        // A view many units report alike is one instance (a header's statement, InstructionDetector): each instance is
        // grouped once and weighs as many views as it was reported (what counts units); every other part of the merge
        // (unions, the least view, any, max) is the same however often a view repeats.
        var times = new Dictionary<Finding, int>(ReferenceEqualityComparer.Instance);
        var distinct = new List<Finding>();
        foreach (var finding in findings)
        {
            ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(times, finding, out var seen);
            if (!seen)
            {
                distinct.Add(finding);
            }
            count++;
        }
        var merged = distinct
            .GroupBy(f => (f.RuleId, f.File, f.Line, f.Column, f.Detail, f.Context))
            .AsParallel().AsOrdered()
            .Select(group => MergeGroup(group.ToList(), times, reach))
            .ToList();
        merged.Sort(Finding.ReportOrder);
        return Fingerprint(merged);
    }

    /// <param name="times">How many times each view of GROUP was reported.</param>
    private static Finding MergeGroup(List<Finding> group, Dictionary<Finding, int> times, IReadOnlyDictionary<(string File, string Function), int> reach)
    {
        // The view the finding shows (its function, the macro it came through: splhigh in one unit, PMAP_SWITCH_USER
        // around it in another) is the least by a fixed order, an active one first — not the first in parse order: so
        // it is the same whichever units were parsed together, and the merge of a sharded scan's reports (each the
        // least of its shard's views) shows the whole scan's.
        var first = LeastView(group);
        // A view merged before (a shard's finding) counts its views' units, not its reach: the reach is applied once, here.
        var viewUnits = group.Sum(f => (f.ViewUnits ?? f.Units) * times[f]);
        var units = viewUnits;
        if (first.Function is not null && reach.TryGetValue((first.File, first.Function), out var reached))
        {
            units = Math.Max(units, reached);
        }
        return first with
        {
            Severity = group.Max(f => f.Severity),
            Active = group.Any(f => f.Active),
            Arches = group.SelectMany(f => f.Arches).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray(),
            Units = units,
            ViewUnits = viewUnits,
            Walks = [.. group.SelectMany(f => f.Walks.Select(w => w with { Units = w.Units * times[f] })).GroupBy(w => (w.File, w.Function, w.Arch))
                .Select(g => new BodyWalk(g.Key.File, g.Key.Function, g.Key.Arch, g.Sum(w => w.Units)))
                .OrderBy(w => w.File, StringComparer.Ordinal).ThenBy(w => w.Function, StringComparer.Ordinal).ThenBy(w => w.Arch, StringComparer.Ordinal)],
            Configurations = group.SelectMany(f => f.Configurations).Distinct(StringComparer.Ordinal)
                .OrderBy(KernelConfigurations.Rank).ThenBy(c => c, StringComparer.Ordinal).ToImmutableArray(),
            Platforms = [.. group.SelectMany(f => f.Platforms).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            Expansions = group.SelectMany(f => f.Expansions).Distinct()
                .OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line).ThenBy(e => e.Function, StringComparer.Ordinal)
                .ToImmutableArray(),
            Condition = group.Select(f => f.Condition).Where(c => c is not null).Min(StringComparer.Ordinal),
            UnwalkedConfigurations = Unwalked(group, f => f.Configurations, f => f.UnwalkedConfigurations),
            UnwalkedPlatforms = Unwalked(group, f => f.Platforms, f => f.UnwalkedPlatforms),
        };
    }

    /// <summary>
    /// Of a group with a header-body walk's view: what (configurations, boards) its views without a walk gave, a view
    /// merged before giving its own unwalked part; null for a group without a walk.
    /// </summary>
    private static ImmutableArray<string>? Unwalked(List<Finding> group, Func<Finding, ImmutableArray<string>> all,
        Func<Finding, ImmutableArray<string>?> unwalked) =>
        group.All(f => f.Walks.IsEmpty) ? null
            : [.. group.SelectMany(f => f.Walks.IsEmpty ? all(f) : unwalked(f) ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The first of GROUP, in its order, among its active views if it has one, with the least <see cref="ViewKey"/>: what
    /// ordering the group by both and taking the first gives (a stable sort), without a key for every view. Most views of a
    /// site are alike (a header's asm statement seen by a thousand units), and a view whose fields equal the best one's
    /// has its key too, so keys are made only for views that differ (41,000 keys a re-scan of xnu-11417 before).
    /// </summary>
    private static Finding LeastView(List<Finding> group)
    {
        var best = group[0];
        string? bestKey = null;
        for (var i = 1; i < group.Count; i++)
        {
            var view = group[i];
            if (view.Active != best.Active)
            {
                if (view.Active)
                {
                    (best, bestKey) = (view, null);
                }
                continue;
            }
            if (SameView(view, best))
            {
                continue;
            }
            bestKey ??= ViewKey(best);
            var key = ViewKey(view);
            if (string.CompareOrdinal(key, bestKey) < 0)
            {
                (best, bestKey) = (view, key);
            }
        }
        return best;
    }

    /// <summary>Whether A and B agree on every field of <see cref="ViewKey"/> (then their keys are equal).</summary>
    private static bool SameView(Finding a, Finding b) =>
        a.Function == b.Function && a.FunctionNode == b.FunctionNode && a.Arch == b.Arch && a.Subcategory == b.Subcategory
        && a.Otherwise == b.Otherwise && a.Item == b.Item && a.Verdict == b.Verdict && a.Action == b.Action && a.Category == b.Category
        && a.Severity == b.Severity && a.Values.AsSpan().SequenceEqual(b.Values.AsSpan())
        && (ReferenceEquals(a.Properties, b.Properties) || a.Properties.SequenceEqual(b.Properties));

    /// <summary>What may differ between two views of one site (the merge key is rule, file, line, column, detail, context).</summary>
    private static string ViewKey(Finding f) => string.Join('\u0001', f.Function, f.FunctionNode, f.Arch, f.Subcategory,
        string.Join('\u0002', f.Properties.Select(p => p.Key + "=" + p.Value)), string.Join('\u0002', f.Values), f.Otherwise, f.Item, f.Verdict,
        f.Action, f.Category, f.Severity);

    /// <summary>
    /// rule + file + function + detail with spaces folded, and the occurrence's rank among identical ones in
    /// that function: unrelated edits (lines added above) leave it unchanged.
    /// </summary>
    private static ImmutableArray<Finding> Fingerprint(List<Finding> sorted)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = ImmutableArray.CreateBuilder<Finding>(sorted.Count);
        foreach (var finding in sorted)
        {
            var identity = $"{finding.RuleId}\u0000{finding.File}\u0000{finding.Function}\u0000{FoldSpaces(finding.Detail)}";
            var rank = seen.GetValueOrDefault(identity);
            seen[identity] = rank + 1;
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{identity}\u0000{rank}"));
            result.Add(finding with { Fingerprint = Convert.ToHexStringLower(hash, 0, 16) });
        }
        return result.MoveToImmutable();
    }

    private static string FoldSpaces(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
