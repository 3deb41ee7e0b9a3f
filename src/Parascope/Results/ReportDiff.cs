using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Results;

/// <summary>One row of a comparison: a rule or a subsystem, its count in each report, sites that appeared and went.</summary>
public sealed record DiffRow(string Key, int Old, int New, int Appeared, int Gone)
{
    public int Delta => New - Old;
}

/// <summary>A site present in one report only, or in both under another fingerprint (<see cref="ReportDiff.Moved"/>).</summary>
public sealed record DiffSite(string RuleId, string Category, string Severity, string File, int Line, string? Function, string Detail, string Fingerprint, bool Active)
{
    public static DiffSite Of(Finding f) =>
        new(f.RuleId, f.Category.Name(), f.Severity.Name(), f.File, f.Line, f.Function, f.Detail, f.Fingerprint, f.Active);
}

/// <summary>One site in both reports whose fingerprint changed (its file moved, its text changed) but whose function and rule match.</summary>
public sealed record MovedSite(DiffSite Old, DiffSite New);

/// <summary>
/// Two scans compared (e.g. xnu-792 and xnu-11417, or main before and after a change): totals, and by rule and by
/// subsystem the counts and the sites that appeared or went (by fingerprint, so moved lines are not changes).
/// The sites themselves are listed too: first matched by fingerprint (rule, file, function, text — no line), then
/// the rest matched by function and rule (a file renamed between releases, a line rewritten in the same function:
/// <see cref="Moved"/>); what is still unmatched appeared (<see cref="Appeared"/>) or went (<see cref="Gone"/>).
/// </summary>
public sealed record ReportDiff(string OldRoot, string NewRoot, DiffRow Total, ImmutableArray<DiffRow> ByRule, ImmutableArray<DiffRow> BySubsystem, ImmutableArray<DiffRow> ByCategory)
{
    /// <summary>Sites only the new report has, after both matchings; sorted by file, line, rule.</summary>
    public ImmutableArray<DiffSite> Appeared { get; init; } = [];
    /// <summary>Sites only the old report has, after both matchings; sorted by file, line, rule.</summary>
    public ImmutableArray<DiffSite> Gone { get; init; } = [];
    /// <summary>Sites whose fingerprint changed but whose function and rule are in both; sorted by the new site.</summary>
    public ImmutableArray<MovedSite> Moved { get; init; } = [];

    public static ReportDiff Compare(ScanResult old, ScanResult current)
    {
        var oldPrints = old.Findings.Select(f => f.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var newPrints = current.Findings.Select(f => f.Fingerprint).ToHashSet(StringComparer.Ordinal);
        ImmutableArray<DiffRow> By(Func<Finding, string> key)
        {
            var keys = old.Findings.Concat(current.Findings).Select(key).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            return keys.Select(k => Row(k, old.Findings.Where(f => key(f) == k).ToList(), current.Findings.Where(f => key(f) == k).ToList(), oldPrints, newPrints))
                .ToImmutableArray();
        }
        var (appeared, gone, moved) = Sites(old, current, oldPrints, newPrints);
        return new ReportDiff(old.Root, current.Root,
            Row("total", [.. old.Findings], [.. current.Findings], oldPrints, newPrints),
            By(f => f.RuleId), By(f => Subsystems.Of(f.File)), By(f => f.Category.Name()))
        {
            Appeared = appeared,
            Gone = gone,
            Moved = moved,
        };
    }

    /// <summary>
    /// The sites of CURRENT that OLD lacks (<see cref="Appeared"/>), those of OLD that CURRENT lacks (<see cref="Gone"/>) and
    /// those in both under another fingerprint (<see cref="Moved"/>), without the counts by rule and subsystem: what
    /// `parascope scan --watch` says after each scan.
    /// </summary>
    public static (ImmutableArray<DiffSite> Appeared, ImmutableArray<DiffSite> Gone, ImmutableArray<MovedSite> Moved) SitesOf(ScanResult old, ScanResult current) =>
        Sites(old, current, old.Findings.Select(f => f.Fingerprint).ToHashSet(StringComparer.Ordinal), current.Findings.Select(f => f.Fingerprint).ToHashSet(StringComparer.Ordinal));

    private static (ImmutableArray<DiffSite>, ImmutableArray<DiffSite>, ImmutableArray<MovedSite>) Sites(ScanResult old, ScanResult current, HashSet<string> oldPrints, HashSet<string> newPrints) =>
        Sites(old.Findings.Where(f => !newPrints.Contains(f.Fingerprint)), current.Findings.Where(f => !oldPrints.Contains(f.Fingerprint)));

    /// <summary>
    /// The sites unmatched by fingerprint, paired by (function, rule) in file and line order; a site outside any
    /// function (a macro body, file-scope asm) pairs by (file, rule, text) instead, as a function name is all that
    /// would tie two of them together.
    /// </summary>
    private static (ImmutableArray<DiffSite>, ImmutableArray<DiffSite>, ImmutableArray<MovedSite>) Sites(IEnumerable<Finding> oldOnly, IEnumerable<Finding> newOnly)
    {
        static string Key(Finding f) => f.Function is { } function
            ? $"{function}\u0000{f.RuleId}"
            : $"\u0000{f.File}\u0000{f.RuleId}\u0000{string.Join(' ', f.Detail.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))}";
        var waiting = oldOnly.OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.RuleId, StringComparer.Ordinal)
            .GroupBy(Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => new Queue<Finding>(g), StringComparer.Ordinal);
        var appeared = ImmutableArray.CreateBuilder<DiffSite>();
        var moved = ImmutableArray.CreateBuilder<MovedSite>();
        foreach (var finding in newOnly.OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.RuleId, StringComparer.Ordinal))
        {
            if (waiting.TryGetValue(Key(finding), out var queue) && queue.Count > 0)
            {
                moved.Add(new MovedSite(DiffSite.Of(queue.Dequeue()), DiffSite.Of(finding)));
            }
            else
            {
                appeared.Add(DiffSite.Of(finding));
            }
        }
        var gone = waiting.Values.SelectMany(q => q).Select(DiffSite.Of)
            .OrderBy(s => s.File, StringComparer.Ordinal).ThenBy(s => s.Line).ThenBy(s => s.RuleId, StringComparer.Ordinal).ToImmutableArray();
        return (appeared.ToImmutable(), gone, moved.ToImmutable());
    }

    private static DiffRow Row(string key, List<Finding> old, List<Finding> current, HashSet<string> oldPrints, HashSet<string> newPrints) =>
        new(key, old.Count, current.Count, current.Count(f => !oldPrints.Contains(f.Fingerprint)), old.Count(f => !newPrints.Contains(f.Fingerprint)));
}
