using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Results;

/// <summary>Counts every report shows: by category, severity, subsystem; active vs inactive.</summary>
public sealed record Summary(
    int Total,
    int Active,
    int Inactive,
    ImmutableSortedDictionary<string, int> ByCategory,
    ImmutableSortedDictionary<string, int> BySeverity,
    ImmutableSortedDictionary<string, int> BySubsystem,
    ImmutableSortedDictionary<string, int> ByRule)
{
    public static Summary Of(IReadOnlyCollection<Finding> findings) => new(
        findings.Count,
        findings.Count(f => f.Active),
        findings.Count(f => !f.Active),
        Count(findings, f => f.Category.Name()),
        Count(findings, f => f.Severity.Name()),
        Count(findings, f => Subsystems.Of(f.File)),
        Count(findings, f => f.RuleId));


    private static ImmutableSortedDictionary<string, int> Count(IEnumerable<Finding> findings, Func<Finding, string> key) =>
        findings.GroupBy(key).ToImmutableSortedDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
