using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Results;

/// <summary>One row of a comparison: a rule or a subsystem, its count in each report, sites that appeared and went.</summary>
public sealed record DiffRow(string Key, int Old, int New, int Appeared, int Gone)
{
    public int Delta => New - Old;
}

/// <summary>
/// Two scans compared (e.g. xnu-792 and xnu-11417, or main before and after a change): totals, and by rule and by
/// subsystem the counts and the sites that appeared or went (by fingerprint, so moved lines are not changes).
/// </summary>
public sealed record ReportDiff(string OldRoot, string NewRoot, DiffRow Total, ImmutableArray<DiffRow> ByRule, ImmutableArray<DiffRow> BySubsystem, ImmutableArray<DiffRow> ByCategory)
{
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
        return new ReportDiff(old.Root, current.Root,
            Row("total", [.. old.Findings], [.. current.Findings], oldPrints, newPrints),
            By(f => f.RuleId), By(f => Subsystems.Of(f.File)), By(f => f.Category.Name()));
    }

    private static DiffRow Row(string key, List<Finding> old, List<Finding> current, HashSet<string> oldPrints, HashSet<string> newPrints) =>
        new(key, old.Count, current.Count, current.Count(f => !oldPrints.Contains(f.Fingerprint)), old.Count(f => !newPrints.Contains(f.Fingerprint)));
}
