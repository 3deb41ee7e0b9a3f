using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Parascope.Model;
using Parascope.Planning;

namespace Parascope.Results;

/// <summary>One release's report, in a comparison: its name (the tree's folder) and its totals.</summary>
/// <param name="Changes">Active sites whose role is change: the places a port edits.</param>
/// <param name="Effort">The plan's total effort for the report's target (EffortModel).</param>
public sealed record ReleaseSummary(string Name, string Root, string Arches, int Findings, int Changes, int Uses, int Hooks, int Wrappers,
    int MinCut, double Effort);

/// <summary>A hook in one release: its sites, wrappers, and what changed since the release before.</summary>
public sealed record HookInRelease(int Sites, int ScatteredSites, int Uses, ImmutableArray<string> Wrappers,
    int SitesAppeared, int SitesGone, ImmutableArray<string> WrappersAppeared, ImmutableArray<string> WrappersGone);

/// <summary>A hook across releases (null where a release has no site of it).</summary>
public sealed record HookAcrossReleases(string Id, string Operation, string Phase, ImmutableArray<HookInRelease?> Releases);

/// <summary>A port phase across releases: its changes and its effort in each.</summary>
public sealed record PhaseAcrossReleases(string Phase, ImmutableArray<int> Changes, ImmutableArray<double> Effort);

/// <summary>
/// A release's HVM readiness (issue #20 item 3): its readiness items in boot order (computed for xen-hvm whatever the
/// report's target) and the hypervisor vendor strings its kernel compares with; against the release before, the
/// hypervisors that appeared or went and the readiness items that appeared, went or changed (empty for the first).
/// </summary>
public sealed record ReadinessInRelease(ImmutableArray<ReadinessItem> Items, ImmutableArray<string> Hypervisors)
{
    public ImmutableArray<string> HypervisorsAppeared { get; init; } = [];
    public ImmutableArray<string> HypervisorsGone { get; init; } = [];
    public ImmutableArray<ReadinessChange> Changes { get; init; } = [];
}

/// <summary>
/// A readiness item that appeared (<see cref="Appeared"/>), went (<see cref="Gone"/>: <see cref="Item"/> is the
/// release before's) or changed (<see cref="Changed"/>: its verdict, the values it compares or its count of sites)
/// since the release before. <see cref="VerdictBefore"/> is set only when the verdict changed.
/// </summary>
public sealed record ReadinessChange(string Change, ReadinessItem Item)
{
    public const string Appeared = "appeared";
    public const string Gone = "gone";
    public const string Changed = "changed";

    public string? VerdictBefore { get; init; }
    public ImmutableArray<string> ValuesAppeared { get; init; } = [];
    public ImmutableArray<string> ValuesGone { get; init; } = [];
    public int? SitesBefore { get; init; }
}

/// <summary>
/// The port across releases (xnu-792 → xnu-2050 → xnu-11417): per release its totals, per hook its sites and
/// wrappers in each and what appeared or went since the release before (sites by fingerprint, wrappers by name),
/// per phase the changes and effort. Unlike <see cref="ReportDiff"/> (two scans of one tree), the reports are of
/// different trees; each is read as written, its plan recomputed with the rules given.
/// </summary>
public sealed partial record ReleaseComparison(ImmutableArray<ReleaseSummary> Releases, ImmutableArray<HookAcrossReleases> Hooks,
    ImmutableArray<PhaseAcrossReleases> Phases)
{
    /// <summary>Per release, in the releases' order: its readiness items and recognised hypervisors.</summary>
    public ImmutableArray<ReadinessInRelease> Readiness { get; init; } = [];

    public static Checked<ReleaseComparison> Compare(IReadOnlyList<ScanResult> reports, ImmutableArray<Rule> rules)
    {
        if (reports.Count < 2)
        {
            return new InputError("compare needs at least two reports");
        }
        if (reports.FirstOrDefault(r => r.Interface is null) is { } old)
        {
            return new InputError($"{old.Root}: the report has no interface section (scan it again with this version)");
        }
        var ordered = InReleaseOrder(reports);
        var plans = ordered.Select(r => PlanBuilder.Of(r.Rules.IsEmpty ? r with { Rules = rules } : r)).ToList();
        var releases = ordered.Select((r, i) => new ReleaseSummary(
            ReleaseName(r.Root), r.Root, string.Join(",", r.Arches), r.Findings.Count(f => f.Active),
            r.Findings.Count(f => f.Active && f.Role == Finding.Change), r.Findings.Count(f => f.Active && f.Role == Finding.Use),
            r.Interface!.HookCount, r.Interface.Hooks.Sum(h => h.Wrappers.Length), r.Interface.MinCut.Size, plans[i].Totals.Effort)).ToImmutableArray();

        var hookIds = ordered.SelectMany(r => r.Interface!.Hooks).Select(h => (h.Id, h.Operation, h.Phase))
            .DistinctBy(h => h.Id).ToList();
        var hooks = hookIds.Select(h => new HookAcrossReleases(h.Id, h.Operation, h.Phase,
            [.. ordered.Select((r, i) => InRelease(r, i == 0 ? null : ordered[i - 1], h.Id))])).ToImmutableArray();

        var phaseNames = plans.SelectMany(p => p.Phases.Select(s => s.Name)).Distinct(StringComparer.Ordinal).ToList();
        var phases = phaseNames.Select(name => new PhaseAcrossReleases(name,
            [.. ordered.Select(r => r.Findings.Count(f => f.Active && f.Role == Finding.Change && f.Phase == name))],
            [.. plans.Select(p => p.Phases.FirstOrDefault(s => s.Name == name)?.Effort ?? 0)])).ToImmutableArray();
        var readiness = ordered.Select(r => new ReadinessInRelease(
            Planning.Readiness.Of((r.Rules.IsEmpty ? r with { Rules = rules } : r) with { Target = XenTarget.XenHvm }, Planner.Excerpt(r)),
            Planning.Readiness.RecognisedHypervisors(r.Findings))).ToList();
        var perRule = ordered.SelectMany(r => r.Rules.IsEmpty ? rules : r.Rules).Concat(rules)
            .Where(r => r.Readiness is { PerSite: false }).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        for (var i = 1; i < readiness.Count; i++)
        {
            var (before, here) = (readiness[i - 1], readiness[i]);
            readiness[i] = here with
            {
                HypervisorsAppeared = [.. here.Hypervisors.Except(before.Hypervisors, StringComparer.Ordinal)],
                HypervisorsGone = [.. before.Hypervisors.Except(here.Hypervisors, StringComparer.Ordinal)],
                Changes = ReadinessChanges(before.Items, here.Items, perRule),
            };
        }
        return Checked<ReleaseComparison>.Of(new ReleaseComparison(releases, hooks, phases) { Readiness = [.. readiness] });
    }

    /// <summary>
    /// The readiness items that appeared, went or changed between two releases, in the newer release's boot order (the
    /// gone ones after, in the older's). A per-site item is the same item in both when its rule, file and function are
    /// (a gate that moved lines is the same gate): within one function, items comparing the same values pair first,
    /// then items of the same verdict, then the rest, each in line order. A per-rule item (one entry for all of a
    /// rule's sites but its blocking ones, which are items of their own) is the same by its rule.
    /// </summary>
    private static ImmutableArray<ReadinessChange> ReadinessChanges(ImmutableArray<ReadinessItem> before, ImmutableArray<ReadinessItem> here,
        HashSet<string> perRule)
    {
        string Key(ReadinessItem item) => Planning.Readiness.IsItemOfItsOwn(!perRule.Contains(item.RuleId), item.Verdict)
            ? $"{item.RuleId}\n{item.File}\n{item.Function}" : item.RuleId;
        var unmatched = before.GroupBy(Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var pairs = new Dictionary<ReadinessItem, ReadinessItem>(ReferenceEqualityComparer.Instance);
        Func<ReadinessItem, ReadinessItem, bool>[] passes =
        [
            (old, item) => old.Values.SequenceEqual(item.Values),
            (old, item) => old.Verdict == item.Verdict,
            (_, _) => true,
        ];
        foreach (var alike in passes)
        {
            foreach (var item in here.Where(i => !pairs.ContainsKey(i)))
            {
                if (unmatched.TryGetValue(Key(item), out var candidates)
                    && candidates.FirstOrDefault(c => alike(c, item)) is { } match)
                {
                    candidates.RemoveAt(candidates.FindIndex(c => ReferenceEquals(c, match)));
                    pairs[item] = match;
                }
            }
        }
        var changes = new List<ReadinessChange>();
        foreach (var item in here)
        {
            if (!pairs.TryGetValue(item, out var old))
            {
                changes.Add(new ReadinessChange(ReadinessChange.Appeared, item));
                continue;
            }
            var valuesAppeared = item.Values.Except(old.Values, StringComparer.Ordinal).ToImmutableArray();
            var valuesGone = old.Values.Except(item.Values, StringComparer.Ordinal).ToImmutableArray();
            if (old.Verdict != item.Verdict || !valuesAppeared.IsEmpty || !valuesGone.IsEmpty || old.Sites != item.Sites)
            {
                changes.Add(new ReadinessChange(ReadinessChange.Changed, item)
                {
                    VerdictBefore = old.Verdict == item.Verdict ? null : old.Verdict,
                    ValuesAppeared = valuesAppeared,
                    ValuesGone = valuesGone,
                    SitesBefore = old.Sites == item.Sites ? null : old.Sites,
                });
            }
        }
        var matched = pairs.Values.ToHashSet(ReferenceEqualityComparer.Instance);
        changes.AddRange(before.Where(old => !matched.Contains(old)).Select(old => new ReadinessChange(ReadinessChange.Gone, old)));
        return [.. changes];
    }

    private static HookInRelease? InRelease(ScanResult release, ScanResult? previous, string hook)
    {
        if (release.Interface!.Hooks.FirstOrDefault(h => h.Id == hook) is not { } here)
        {
            return null;
        }
        var prints = ChangePrints(release, hook);
        var wrappers = here.Wrappers.Select(w => w.Function).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();
        if (previous is null)
        {
            return new HookInRelease(here.Sites, here.ScatteredSites, here.Uses, wrappers, 0, 0, [], []);
        }
        var before = ChangePrints(previous, hook);
        var wrappersBefore = previous.Interface!.Hooks.FirstOrDefault(h => h.Id == hook)?.Wrappers.Select(w => w.Function).ToHashSet(StringComparer.Ordinal) ?? [];
        return new HookInRelease(here.Sites, here.ScatteredSites, here.Uses, wrappers,
            prints.Count(p => !before.Contains(p)), before.Count(p => !prints.Contains(p)),
            [.. wrappers.Where(w => !wrappersBefore.Contains(w))], [.. wrappersBefore.Where(w => !wrappers.Contains(w)).Order(StringComparer.Ordinal)]);
    }

    /// <summary>Fingerprints (rule, file, function, normalised text: no line numbers) of a hook's changes.</summary>
    private static HashSet<string> ChangePrints(ScanResult result, string hook) =>
        result.Findings.Where(f => f.Active && f.Role == Finding.Change && f.Hook == hook).Select(f => f.Fingerprint).ToHashSet(StringComparer.Ordinal);

    /// <summary>The tree's folder name: xnu-792.25.20.</summary>
    public static string ReleaseName(string root) => Path.GetFileName(root.TrimEnd('/', '\\')) is { Length: > 0 } name ? name : root;

    /// <summary>
    /// By the version in the folder name (xnu-792.25.20 before xnu-2050.48.11 before xnu-11417.121.6, numerically);
    /// when any name has no version, the order given. Ties keep the order given (two arches of one release).
    /// </summary>
    private static List<ScanResult> InReleaseOrder(IReadOnlyList<ScanResult> reports)
    {
        var versions = reports.Select(r => Version().Match(ReleaseName(r.Root))).ToList();
        if (versions.Any(v => !v.Success))
        {
            return [.. reports];
        }
        return [.. reports.Select((r, i) => (Report: r, Key: versions[i].Groups[1].Value.Split('.').Select(int.Parse).ToArray()))
            .OrderBy(r => r.Key, Comparer<int[]>.Create(CompareVersions)).Select(r => r.Report)];
    }

    private static int CompareVersions(int[] a, int[] b)
    {
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var order = (i < a.Length ? a[i] : 0).CompareTo(i < b.Length ? b[i] : 0);
            if (order != 0)
            {
                return order;
            }
        }
        return 0;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)*)", RegexOptions.CultureInvariant)]
    private static partial Regex Version();
}
